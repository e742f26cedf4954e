"""The only part of autotune that imports openvino: models, devices, compiled sessions."""

from autotune.runtime._batch import find_batch_axes
from autotune.runtime._buckets import BucketedModel, compile_for_mix
from autotune.runtime._completions import Completions
from autotune.runtime._device import (
    available_devices,
    device_capabilities,
    device_full_names,
    normalize_value,
    read_effective,
    runtime_version,
    to_runtime_properties,
)
from autotune.runtime._errors import openvino_message
from autotune.runtime._inspect import inspect_model
from autotune.runtime._model import (
    build_demo_model,
    build_matmul_model,
    input_names,
    input_roles,
    model_files,
    prepare_model,
    random_inputs,
    read_model,
    resolve_shape,
    save_ir,
    shared_core,
)
from autotune.runtime._pipelines import AsyncPipeline, SyncPipeline
from autotune.runtime._quantize import (
    MAX_SUBSET_SIZE,
    looks_like_transformer,
    nncf_version,
    quantize_to_ir,
)
from autotune.runtime._session import CompiledSession

__all__ = [
    "Completions",
    "MAX_SUBSET_SIZE",
    "looks_like_transformer",
    "nncf_version",
    "quantize_to_ir",
    "AsyncPipeline",
    "CompiledSession",
    "SyncPipeline",
    "BucketedModel",
    "compile_for_mix",
    "find_batch_axes",
    "input_names",
    "input_roles",
    "available_devices",
    "build_demo_model",
    "build_matmul_model",
    "device_capabilities",
    "device_full_names",
    "inspect_model",
    "model_files",
    "normalize_value",
    "openvino_message",
    "prepare_model",
    "random_inputs",
    "read_effective",
    "read_model",
    "resolve_shape",
    "runtime_version",
    "save_ir",
    "shared_core",
    "to_runtime_properties",
]
