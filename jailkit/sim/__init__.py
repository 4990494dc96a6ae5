"""The embedded FreeBSD 14 VIMAGE host: kernel state, installed world and
lab, in process."""

from .daemons import SshRefused
from .harness import CLIENTS
from .machine import LONGEST, Deadline, Machine
from .session import LoginShell

__all__ = ["CLIENTS", "LONGEST", "Deadline", "LoginShell", "Machine", "SshRefused"]
