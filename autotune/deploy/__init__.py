"""Deploying the result: the best_config.json document, one renderer per export format and
:func:`export` that writes one, loading a config back and compiling it, re-validating it, and
profiling it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autotune.core import lazy_exports

_EXPORTS = {
    "CONFIG_SCHEMA": "_document",
    "Chosen": "_document",
    "Format": "_formats",
    "DeployConfig": "_config_file",
    "Exported": "_export",
    "Rendered": "_rendered",
    "export": "_export",
    "FORMATS": "_formats",
    "VALIDATE_PROOF_S": "_validate",
    "VALIDATE_ROUNDS": "_validate",
    "batch_layout": "_document",
    "benchmark_app_command": "_benchmark_app",
    "build_best_config": "_document",
    "choose": "_document",
    "compile_model": "_config_file",
    "deploy_shape": "_document",
    "load_config": "_config_file",
    "no_feasible_error": "_document",
    "ovms_entry": "_ovms",
    "profile": "_profile",
    "python_snippet": "_python_snippet",
    "docker_command": "_ovms",
    "write_repository": "_ovms",
    "validate": "_validate",
    "write_best_config": "_document",
    "with_model_beside": "_document",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from autotune.deploy._benchmark_app import benchmark_app_command as benchmark_app_command
    from autotune.deploy._config_file import DeployConfig as DeployConfig
    from autotune.deploy._config_file import compile_model as compile_model
    from autotune.deploy._config_file import load_config as load_config
    from autotune.deploy._document import CONFIG_SCHEMA as CONFIG_SCHEMA
    from autotune.deploy._document import Chosen as Chosen
    from autotune.deploy._document import batch_layout as batch_layout
    from autotune.deploy._document import build_best_config as build_best_config
    from autotune.deploy._document import choose as choose
    from autotune.deploy._document import deploy_shape as deploy_shape
    from autotune.deploy._document import no_feasible_error as no_feasible_error
    from autotune.deploy._document import with_model_beside as with_model_beside
    from autotune.deploy._document import write_best_config as write_best_config
    from autotune.deploy._export import Exported as Exported
    from autotune.deploy._export import export as export
    from autotune.deploy._formats import FORMATS as FORMATS
    from autotune.deploy._formats import Format as Format
    from autotune.deploy._ovms import docker_command as docker_command
    from autotune.deploy._ovms import ovms_entry as ovms_entry
    from autotune.deploy._ovms import write_repository as write_repository
    from autotune.deploy._profile import profile as profile
    from autotune.deploy._python_snippet import python_snippet as python_snippet
    from autotune.deploy._rendered import Rendered as Rendered
    from autotune.deploy._validate import VALIDATE_PROOF_S as VALIDATE_PROOF_S
    from autotune.deploy._validate import VALIDATE_ROUNDS as VALIDATE_ROUNDS
    from autotune.deploy._validate import validate as validate
