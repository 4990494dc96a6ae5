"""The modelled programs of the sim's world, one module per FreeBSD command
(small file and text utilities share a module each). Each module declares
its programs by their paths (jailkit.sim.proc.program); load() imports every
module of this package, so a new module needs no list to be added to."""

import importlib
import pkgutil


def load() -> None:
    """Import every command module, which registers its programs
    (importing again does nothing)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


# The Machine imports this package to have the programs registered.
load()
