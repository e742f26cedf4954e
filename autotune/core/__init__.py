"""The vocabulary every stage shares: runtime configurations and their knobs, what a model and
a device are, the errors a user can act on, units, and atomic file writes. Plain Python: no
openvino, no optuna."""

from autotune.core._batch import BATCH_TOLERANCE, BatchAxes, layout_axis, parse_layouts
from autotune.core._config import (
    HINTS,
    INT8,
    PRESET_HINTS,
    VARIANTS,
    EffectiveConfig,
    RuntimeConfig,
    device_rank,
    preset_config,
    preset_label,
    preset_name,
    preset_named,
    simplicity,
)
from autotune.core._devices import VIRTUAL_DEVICES, hardware_of, hints_device, is_virtual
from autotune.core._errors import (
    AutotuneError,
    BadInputError,
    ConfigFileError,
    DeviceError,
    ExitCode,
    ModelError,
    NoFeasibleConfigError,
    StudyError,
    TrialsFailedError,
    ValidationFailedError,
)
from autotune.core._facts import DeviceCapabilities, InputInfo, ModelInfo
from autotune.core._files import write_atomic
from autotune.core._knobs import (
    AUTO_BATCH_TIMEOUT_RANGE_MS,
    AUTO_DEVICE,
    BATCH_DEVICE,
    CORE_TYPES,
    DEFAULT_PRECISION,
    IDENTITY_PROPERTIES,
    KNOBS,
    Choices,
    Domain,
    IntRange,
    Knob,
    Where,
)
from autotune.core._lazy import lazy_exports
from autotune.core._scenario import (
    DEFAULT_PERCENTILES,
    OFFLINE,
    SCENARIOS,
    SERVER,
    figure_name,
    rate_unit,
)
from autotune.core._units import (
    format_duration,
    format_shape,
    parse_duration,
    parse_memory,
    parse_rate,
    parse_shape,
)

# numpy helpers, loaded when first used (``autotune --help`` does not import numpy)
_LAZY = {
    name: "_arrays"
    for name in (
        "DATA",
        "IDS",
        "STATE",
        "fill_input",
        "group_samples",
        "numpy_type",
        "split_outputs",
        "stack_samples",
    )
}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "BATCH_TOLERANCE",
    "BatchAxes",
    "VIRTUAL_DEVICES",
    "hardware_of",
    "hints_device",
    "is_virtual",
    "layout_axis",
    "parse_layouts",
    *_LAZY,
    "INT8",
    "VARIANTS",
    "DEFAULT_PERCENTILES",
    "OFFLINE",
    "SCENARIOS",
    "SERVER",
    "figure_name",
    "rate_unit",
    "parse_rate",
    "AUTO_BATCH_TIMEOUT_RANGE_MS",
    "AUTO_DEVICE",
    "BATCH_DEVICE",
    "CORE_TYPES",
    "DEFAULT_PRECISION",
    "HINTS",
    "IDENTITY_PROPERTIES",
    "KNOBS",
    "PRESET_HINTS",
    "AutotuneError",
    "BadInputError",
    "Choices",
    "ConfigFileError",
    "DeviceCapabilities",
    "DeviceError",
    "Domain",
    "EffectiveConfig",
    "ExitCode",
    "InputInfo",
    "IntRange",
    "Knob",
    "ModelError",
    "ModelInfo",
    "NoFeasibleConfigError",
    "RuntimeConfig",
    "StudyError",
    "TrialsFailedError",
    "ValidationFailedError",
    "Where",
    "device_rank",
    "format_duration",
    "format_shape",
    "lazy_exports",
    "parse_duration",
    "parse_memory",
    "parse_shape",
    "preset_config",
    "preset_label",
    "preset_name",
    "preset_named",
    "simplicity",
    "write_atomic",
]
