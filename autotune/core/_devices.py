"""Device strings: the hardware behind one, whether one is virtual (it hands the work to other
devices), and the device the hint presets run on — parsed here and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence

from autotune.core._knobs import AUTO_DEVICE, BATCH_DEVICE

VIRTUAL_DEVICES = (AUTO_DEVICE, BATCH_DEVICE, "MULTI", "HETERO")


def is_virtual(device: str) -> bool:
    """AUTO, BATCH:<dev>, MULTI:…, HETERO:…: a device that runs its work on others."""
    return device.split(":", 1)[0] in VIRTUAL_DEVICES


def hardware_of(device: str) -> str:
    """The device that runs the work, as far as the string says: ``CPU`` → CPU,
    ``BATCH:CPU(4)`` → CPU, ``AUTO:GPU,CPU`` → GPU (its first choice). A bare ``AUTO`` names
    no hardware: it stays AUTO (it picks at compile time)."""
    name, _, rest = device.partition(":")
    if name in VIRTUAL_DEVICES and rest:
        return hardware_of(rest.split(",", 1)[0].split("(", 1)[0])
    return name.split("(", 1)[0]


def hints_device(devices: Sequence[str]) -> str:
    """The device the hint presets run on, among the devices a study searches (or the one
    device of an exported config): the first that is not the BATCH device — users run a hint
    without auto-batching — else the hardware behind the first."""
    for device in devices:
        if not device.startswith(BATCH_DEVICE):
            return device
    return hardware_of(devices[0])
