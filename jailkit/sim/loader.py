"""loader(8) booting the sim's kernel: the settings of /boot/defaults/
loader.conf and of the files its loader_conf_files and loader_conf_dirs
name become the kernel environment (kenv(1)); NAME_load="YES" loads the
module NAME (or NAME_name) with the kernel. The grammar is loader.conf(5)
as stand/lua/config.lua reads it: values in double quotes (a bare number is
also taken), `#` comments, anything else a "Malformed line" that is
skipped. A loader tunable written there therefore takes effect only at the
next boot, as on FreeBSD."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .errno import OSErr
from .vfs import Vfs

if TYPE_CHECKING:
    from .kernel import Kernel

DEFAULTS = "/boot/defaults/loader.conf"
MODULE_DIR = "/boot/kernel"
# Per-module settings (config.lua's module patterns); everything else is
# an environment variable.
MODULE_KEYS = ("load", "name", "type", "flags", "before", "after", "error")
_QUOTED = re.compile(r'^\s*([\w.\-]+)\s*=\s*"([^"]*)"\s*(.*)$')
_NUMBER = re.compile(r'^\s*([\w.\-]+)\s*=\s*(-?\d+)\s*(.*)$')
_MODULE = re.compile(r"^([A-Za-z0-9_]+)_(" + "|".join(MODULE_KEYS) + r")$")
# What the loader itself puts into the environment of a BIOS boot of the
# official image under VirtualBox, before reading its configuration.
LOADER_ENV = {
    "LINES": "24",
    "console": "vidconsole",
    "currdev": "disk0p2:",
    "loaddev": "disk0p2:",
    "smbios.bios.vendor": "innotek GmbH",
    "smbios.system.maker": "innotek GmbH",
    "smbios.system.product": "VirtualBox",
    "vfs.root.mountfrom": "ufs:/dev/gpt/rootfs",
}


def boot(kernel: "Kernel") -> list[str]:
    """Read the loader's configuration into ``kernel`` (its kenv and the
    modules loaded with it); returns what the loader printed."""
    vfs = kernel.vfs
    messages: list[str] = []
    modules: dict[str, dict[str, str]] = {}
    kernel.kenv.update(LOADER_ENV)
    _parse(vfs, DEFAULTS, kernel.kenv, modules, messages)
    for path in _conf_files(vfs, kernel.kenv):
        _parse(vfs, path, kernel.kenv, modules, messages)
    kernel.kenv["kernelname"] = f"{MODULE_DIR}/kernel"
    for name, settings in modules.items():
        if settings.get("load", "").upper() != "YES" or "type" in settings:
            continue  # a preloaded data file (hostuuid, entropy), not a kld
        module = settings.get("name", name).rsplit("/", 1)[-1].removesuffix(".ko")
        if not vfs.exists(f"{MODULE_DIR}/{module}.ko"):
            messages.append(f"can't find '{module}'")
            continue
        if module not in kernel.modules:
            kernel.load_module(module, preload=True)
    return messages


def _conf_files(vfs: Vfs, env: dict[str, str]) -> list[str]:
    files = env.get("loader_conf_files", "").split()
    for directory in env.get("loader_conf_dirs", "").split():
        try:
            files += [f"{directory}/{n}" for n in vfs.listdir(directory) if n.endswith(".conf")]
        except OSErr:
            continue
    return files + env.get("local_loader_conf_files", "").split()


def _parse(vfs: Vfs, path: str, env: dict[str, str], modules: dict[str, dict[str, str]],
           messages: list[str]) -> None:
    try:
        text = vfs.read(path)
    except OSErr:
        return  # a missing file in loader_conf_files is skipped silently
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _QUOTED.match(line) or _NUMBER.match(line)
        if match is None or (match.group(3) and not match.group(3).startswith("#")):
            messages.append(f"Malformed line ({number}):\n\t'{line}'")
            continue
        key, value = match.group(1), match.group(2)
        module = _MODULE.match(key)
        if key == "exec":
            continue  # loader commands (echo ...) only print on the console
        if module is not None:
            modules.setdefault(module.group(1), {})[module.group(2)] = value
        else:
            env[key] = value
