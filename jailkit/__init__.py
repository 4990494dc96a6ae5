"""jailkit: FreeBSD jail-networking howtos as executable documentation."""

from .host import CommandFailed, Host, HostTimeout, Result
from .hosts import HostURLError, connect

__version__ = "0.1.0"
__all__ = ["CommandFailed", "Host", "HostTimeout", "HostURLError", "Result", "connect"]
