"""INT8 in the loop on real models with real samples: `autotune search --quantize --inputs`.

Samples without internet: photographs bundled in scikit-image's wheel (``skimage.data``) for
the detector, text lines rendered with Pillow for the OCR recognizer, each preprocessed as the
model expects. Per model it prints the best hint of the original model, the best tuned config
of the original, the best INT8 config, the INT8 model's drift and top-1 agreement against f32
on those samples, the quantization time, and the verdict.

    python benchmarks/int8.py [--models yolov8n-320 ppocrv4-rec] [--trials 30]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from _common import CACHE, StealMeter, fresh_study, header, table
from fetch_models import model_paths

BIN = Path(sys.executable).parent
PHOTOS = (
    "astronaut", "coffee", "chelsea", "rocket", "cat", "immunohistochemistry",
    "colorwheel", "retina", "skin", "hubble_deep_field", "logo", "motorcycle_left",
)  # fmt: skip
WORDS = (
    "invoice", "total", "amount", "2026-11-23", "OpenVINO", "street", "42.50", "receipt",
    "number", "customer", "delivery", "station", "Zurich", "express", "TAX 7.7%", "ID 93021",
)  # fmt: skip


def _photos() -> list[np.ndarray]:
    """RGB uint8 photographs from scikit-image (those present in the installed version)."""
    from skimage import data

    images = []
    for name in PHOTOS:
        loader = getattr(data, name, None)
        try:
            image = loader() if loader else None
        except Exception:  # a dataset that needs a download (pooch) is skipped
            image = None
        if image is None or image.ndim != 3 or image.shape[2] < 3:
            continue
        images.append(np.ascontiguousarray(image[..., :3]))
    return images


def detector_samples(folder: Path, size: int, count: int = 32) -> Path:
    """YOLOv8 input: RGB in [0, 1], letterboxed square crops of the photographs, NCHW."""
    from skimage.transform import resize

    folder.mkdir(parents=True, exist_ok=True)
    photos = _photos()
    rng = np.random.default_rng(0)
    for i in range(count):
        image = photos[i % len(photos)]
        h, w = image.shape[:2]
        side = int(min(h, w) * rng.uniform(0.6, 1.0))
        y, x = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
        crop = resize(image[y : y + side, x : x + side], (size, size), anti_aliasing=True)
        if i % 2:
            crop = crop[:, ::-1]
        np.save(folder / f"{i:03d}.npy", crop.transpose(2, 0, 1)[None].astype(np.float32))
    return folder


def text_samples(
    folder: Path, height: int, width: int, characters: list[str], count: int = 32
) -> Path:
    """PP-OCR recognizer input: a rendered text line that fits the width, (x/255 − 0.5)/0.5,
    NCHW; ``labels.json`` keeps the texts and the model's characters for ocr_metric.py."""
    from PIL import Image, ImageDraw, ImageFont

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    font = ImageFont.load_default(size=height - 14)
    texts = []
    for i in range(count):
        chosen = list(rng.choice(WORDS, size=int(rng.integers(1, 4))))
        while len(chosen) > 1 and font.getlength(" ".join(chosen)) > width - 16:
            chosen.pop()
        words = " ".join(chosen)
        texts.append(words)
        canvas = Image.new(
            "RGB", (width, height), tuple(int(v) for v in rng.integers(200, 256, 3))
        )
        ink = tuple(int(v) for v in rng.integers(0, 60, 3))
        ImageDraw.Draw(canvas).text((int(rng.integers(2, 12)), 5), words, fill=ink, font=font)
        array = (np.asarray(canvas, np.float32) / 255 - 0.5) / 0.5
        np.save(folder / f"{i:03d}.npy", array.transpose(2, 0, 1)[None])
    labels = {"texts": texts, "characters": characters}
    (folder / "labels.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    return folder


def model_characters(path: str) -> list[str]:
    """The recognizer's character list, kept in the ONNX metadata by rapidocr."""
    import openvino as ov

    info = ov.Core().read_model(path).get_rt_info(["framework", "character"])
    return str(info.astype(str)).split("\n")


@dataclass(frozen=True)
class Case:
    """One model as a user would search it: its shape, samples, limit and accuracy guard."""

    model: str
    shape: str
    samples: Path
    limit: str
    guard: tuple[str, ...] = ()  # accuracy options; none: the default drift/top-1 guard
    env: dict[str, str] = field(default_factory=dict)


def suite() -> dict[str, Case]:
    """The detector keeps the default guard (relative L2 ≤ 0.05: its outputs are boxes and
    scores, without labels). The recognizer is judged on the task: text lines read exactly
    (ocr_metric.py), losing at most 5 % of them (1 line of the 32 that autotune judges); the generic proxies are turned off."""
    paths = model_paths()
    root = CACHE / "int8-samples"
    rec = str(paths["ppocrv4-rec"][0])
    lines = text_samples(root / "ppocrv4-rec", 48, 320, model_characters(rec))
    return {
        "yolov8n-320": Case(
            str(paths["yolov8n-nudenet"][0]),
            "images[1,3,320,320]",
            detector_samples(root / "yolov8n-320", 320),
            "10ms",
        ),
        "ppocrv4-rec": Case(
            rec,
            "x[1,3,48,320]",
            lines,
            "10ms",
            guard=(
                *("--accuracy-fn", "ocr_metric:line_accuracy", "--max-drop", "0.05"),
                *("--max-drift", "off", "--min-top1", "off"),
            ),
            env={"OCR_LABELS": str(lines / "labels.json")},
        ),
    }


def best(contenders: list, keep) -> object | None:
    chosen = [c for c in contenders if keep(c)]
    return max(chosen, key=lambda c: c.throughput.estimate, default=None)


def describe(c, unit: str = "FPS") -> str:
    if c is None:
        return "–"
    source = "confirmed" if c.confirmed else "search"
    return f"{c.label}: {c.throughput.estimate:.1f} {unit} ({source})"


def main() -> None:
    import optuna

    from autotune.study import VARIANTS_ATTR, open_storage, study_decision_of

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--trial-time", default="2s")
    args = parser.parse_args()
    header("int8: autotune search --quantize --inputs on real models with real samples")
    storage = f"sqlite:///{CACHE / 'int8.db'}"
    rows, verdicts = [], []
    for name, case in suite().items():
        if args.models and name not in args.models:
            continue
        limit = case.limit
        study_name = f"{name}-int8-{limit}"
        fresh_study(study_name, storage)
        command = [
            str(BIN / "autotune"), "search", case.model, "--shape", case.shape,
            "--max-latency", limit, "--quantize", "--inputs", str(case.samples), *case.guard,
            "--trials", str(args.trials), "--trial-time", args.trial_time,
            "--study", study_name, "--storage", storage,
            "--out-dir", str(CACHE / "int8" / study_name), "--force", "--json",
        ]  # fmt: skip
        print(f"  {name}: {' '.join(command[1:])}", file=sys.stderr)
        started = time.perf_counter()
        with StealMeter() as steal:
            run = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=7200,
                cwd=Path(__file__).parent,  # where --accuracy-fn's module is
                env={**os.environ, **case.env},
            )
        elapsed = time.perf_counter() - started
        if run.returncode not in (0, 3):
            raise SystemExit(f"{name}: autotune exited {run.returncode}: {run.stderr[-2000:]}")
        summary = json.loads(run.stdout)
        study = optuna.load_study(
            study_name=study_name, storage=open_storage(storage, heartbeat=False)
        )
        _, _, _, _, decision = study_decision_of(study)
        made = (study.user_attrs.get(VARIANTS_ATTR) or {}).get("int8", {})
        everyone = list(decision.contenders)
        feasible = [c for c in everyone if c.feasible]
        hint = best(feasible, lambda c: c.is_hint and not c.config.variant)
        tuned = best(feasible, lambda c: not c.is_hint and not c.config.variant)
        int8 = best(everyone, lambda c: c.config.variant == "int8")
        int8_ok = best(feasible, lambda c: c.config.variant == "int8")
        shown = int8_ok or int8
        accuracy = shown.accuracy if shown is not None else None
        ratio = summary["ratios"].get(hint.presets[0]) if hint is not None and int8_ok else None
        rows.append(
            [
                name,
                limit,
                describe(hint),
                describe(tuned)
                if tuned is not None
                else f"none feasible ({sum(1 for c in everyone if not c.is_hint and not c.config.variant)} measured)",
                describe(shown) + ("" if int8_ok or shown is None else " ✗ misses a limit"),
                f"{ratio['estimate']:.2f} [{ratio['low']:.2f}, {ratio['high']:.2f}]"
                if ratio and summary["winner"] and "int8" in summary["winner"]["label"]
                else "–",
                f"{accuracy.rel_l2:.3g}" if accuracy and accuracy.rel_l2 is not None else "–",
                f"{accuracy.top1:.2f}" if accuracy and accuracy.top1 is not None else "–",
                f"{accuracy.metric_value:.3f} (f32 {accuracy.metric_reference:.3f})"
                if accuracy and accuracy.metric_value is not None
                else "–",
                f"{made.get('seconds', float('nan')):.1f}s",
                f"{elapsed:.0f}s",
                f"{steal.fraction:.0%}",
            ]
        )
        verdicts.append(f"{name}: {summary['verdict']}")
        print(f"  {name}: {summary['verdict'][:200]}", file=sys.stderr)
    print(
        table(
            rows,
            [
                "model",
                "p90 limit",
                "best hint (original)",
                "best tuned (original)",
                "best INT8",
                "INT8 winner × best original hint [CI]",
                "INT8 rel L2",
                "INT8 top-1",
                "INT8 metric",
                "quantize",
                "study",
                "steal",
            ],
        )  # fmt: skip
    )
    print("\nverdicts:")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
