"""Fetch the real models used by the benchmarks from PyPI wheels (nothing comes from model hubs).

    python benchmarks/fetch_models.py            # → benchmarks/.cache/models/*.onnx

- nudenet: 320n.onnx, a YOLOv8n-style detector, input [?,3,?,?] (benchmarked at 1×3×320×320)
- rapidocr-onnxruntime: PP-OCRv4 det / rec and the mobile direction classifier
- ddddocr: common.onnx, an OCR recognizer with input [1,1,64,?] (dynamic width, time-major output)
The cache folder is ignored by git; the files are never committed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache" / "models"
WHEELS = {
    "nudenet": {"nudenet/320n.onnx": "nudenet_320n.onnx"},
    "rapidocr-onnxruntime": {
        "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx": "ppocrv4_det.onnx",
        "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx": "ppocrv4_rec.onnx",
        "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx": "ppocr_mobile_cls.onnx",
    },
    "ddddocr": {"ddddocr/common.onnx": "ddddocr_common.onnx"},
}

# name → (file, --shape) : the fixed shapes the benchmarks use
MODELS = {
    "yolov8n-nudenet": ("nudenet_320n.onnx", "[1,3,320,320]"),
    "ppocrv4-det": ("ppocrv4_det.onnx", "[1,3,640,640]"),
    "ppocrv4-rec": ("ppocrv4_rec.onnx", "[1,3,48,320]"),
    "ppocr-cls": ("ppocr_mobile_cls.onnx", "[1,3,48,192]"),
}


def fetch(cache: Path = CACHE) -> dict[str, Path]:
    """Download the wheels (no dependencies) and extract the ONNX files; reuse the cache."""
    cache.mkdir(parents=True, exist_ok=True)
    wanted = {target: member for wheel in WHEELS.values() for member, target in wheel.items()}
    if all((cache / t).exists() for t in wanted):
        return {t: cache / t for t in wanted}
    with tempfile.TemporaryDirectory() as tmp:
        for package, members in WHEELS.items():
            if all((cache / t).exists() for t in members.values()):
                continue
            print(f"fetching {package} from PyPI…", file=sys.stderr)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--quiet",
                    "-d",
                    tmp,
                    package,
                ],
                check=True,
            )
            wheel = next(Path(tmp).glob(f"{package.replace('-', '_')}-*.whl"))
            with zipfile.ZipFile(wheel) as archive:
                names = set(archive.namelist())
                for member, target in members.items():
                    if member not in names:
                        candidates = [n for n in names if n.endswith(".onnx")]
                        raise SystemExit(f"{member} not in {wheel.name}; it has: {candidates}")
                    with archive.open(member) as src, (cache / target).open("wb") as dst:
                        shutil.copyfileobj(src, dst)
    return {t: cache / t for t in wanted}


def model_paths() -> dict[str, tuple[Path, str]]:
    files = fetch()
    return {name: (files[file], shape) for name, (file, shape) in MODELS.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args()
    for name, (path, shape) in model_paths().items():
        print(f"{name:18s} {path}  --shape {shape}")
