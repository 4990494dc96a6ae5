"""jailkit: FreeBSD jail-networking howtos as executable documentation."""

from .host import CommandFailed, ConnectionLost, Host, HostError, HostTimeout, LoginError, Result
from .hosts import HostURLError, connect

__version__ = "0.1.0"
__all__ = ["CommandFailed", "ConnectionLost", "Host", "HostError", "HostTimeout", "HostURLError",
           "LoginError", "Result", "connect"]
