"""The traffic's shapes in a search: what to measure (one static shape, or a mix from --shape
ranges or the --inputs samples), the pad values of bucket policies, and which shape policies
are searched."""

from __future__ import annotations

from pathlib import Path

from autotune.core import (
    BOUNDED,
    BUCKET_COUNTS,
    BUCKETS,
    DYNAMIC,
    BadInputError,
    ModelInfo,
    ShapeMix,
    parse_shape,
    parse_shape_mix,
)
from autotune.measure import sample_shapes


def planned_shapes(
    model_path: str, shape: str | None, inputs_dir: str | None
) -> tuple[dict[str, list[int]] | list[int] | None, ShapeMix | None]:
    """The shapes to measure: ``--shape`` as one static shape, or as a mix when a dimension is
    a range or a weighted list; without ``--shape``, a dynamic model's ``--inputs`` samples give
    their own shapes (the traffic's real mix)."""
    if shape:
        mix = parse_shape_mix(shape)
        return (None, mix) if mix.varies else (parse_shape(shape), None)
    if inputs_dir and Path(inputs_dir).is_dir():
        from autotune import runtime

        names, dynamic = runtime.input_names(model_path)
        shapes = sample_shapes(inputs_dir, names) if dynamic else []
        if shapes:
            mix = ShapeMix.of_samples(shapes, inputs_dir)
            return (None, mix) if mix.varies else (shapes[0], None)
    return None, None


def parse_pad(text: str, names: list[str]) -> dict[str, float]:
    """``--pad input1=0,mask=1`` (or ``--pad 0`` for a one-input model) → values by input."""
    out: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.strip().rpartition("=")
        if not sep:
            if len(names) != 1:
                raise BadInputError(
                    f"--pad {text!r} gives no input name, but the model has {len(names)} inputs",
                    "name them, e.g. --pad " + ",".join(f"{n}=0" for n in names),
                )
            name = names[0]
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise BadInputError(
                f"--pad {text!r}: {value!r} is not a number", "e.g. --pad input1=0"
            ) from None
    unknown = [n for n in out if n not in names]
    if unknown:
        raise BadInputError(
            f"--pad names input '{unknown[0]}', which the model does not have",
            f"the model's inputs are: {', '.join(names)}",
        )
    return out


def shape_policies(mix: ShapeMix | None, pad: dict[str, float] | None) -> tuple[str, ...]:
    """How a mix of shapes may be compiled: the model as it is, bounded, and (only with a pad
    value for every input whose shape varies) k static buckets."""
    if mix is None or not mix.varies:
        return ()
    padded = pad is not None and all(n in pad for n in mix.varying_axes())
    buckets = tuple(f"{BUCKETS}{k}" for k in BUCKET_COUNTS) if padded else ()
    return (DYNAMIC, BOUNDED, *buckets)


def shapes_note(model: ModelInfo, policies: tuple[str, ...]) -> str:
    """One line on the traffic's shapes and the policies searched (or why buckets are not)."""
    if model.mix is None:
        return ""
    text = f"shapes: requests drawn from {model.mix.describe()}; policies searched: " + ", ".join(
        policies
    )
    if not any(p.startswith(BUCKETS) for p in policies):
        varying = ",".join(f"{n}=<value>" for n in model.mix.varying_axes())
        text += f"; buckets not searched: padding needs --pad {varying}"
    return text
