"""The embedded FreeBSD 14 VIMAGE host: kernel state, installed world and
lab, in process."""

from .harness import CLIENTS
from .machine import Deadline, Machine

__all__ = ["CLIENTS", "Deadline", "Machine"]
