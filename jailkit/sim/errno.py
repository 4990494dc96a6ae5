"""FreeBSD errno values and their strerror(3) texts (lib/libc/gen/errlst.c)."""

from __future__ import annotations

EPERM = 1
ENOENT = 2
ESRCH = 3
EIO = 5
ENXIO = 6
E2BIG = 7
ENOEXEC = 8
EBADF = 9
EACCES = 13
EEXIST = 17
ENOTDIR = 20
EISDIR = 21
EINVAL = 22
ENOSPC = 28
EROFS = 30
ENOTEMPTY = 66
EBUSY = 16
ELOOP = 62
ENAMETOOLONG = 63
EHOSTDOWN = 64
EHOSTUNREACH = 65
EADDRINUSE = 48
EADDRNOTAVAIL = 49
ENETDOWN = 50
ENETUNREACH = 51
ECONNREFUSED = 61
ETIMEDOUT = 60
EOPNOTSUPP = 45
EAFNOSUPPORT = 47
ENOPROTOOPT = 42
EPROTONOSUPPORT = 43
EPFNOSUPPORT = 46
EISCONN = 56
ENOTCONN = 57
ENOSYS = 78
EILSEQ = 86

STRERROR = {
    EPERM: "Operation not permitted",
    ENOENT: "No such file or directory",
    ESRCH: "No such process",
    EIO: "Input/output error",
    ENXIO: "Device not configured",
    E2BIG: "Argument list too long",
    ENOEXEC: "Exec format error",
    EBADF: "Bad file descriptor",
    EACCES: "Permission denied",
    EBUSY: "Device busy",
    EEXIST: "File exists",
    ENOTDIR: "Not a directory",
    EISDIR: "Is a directory",
    EINVAL: "Invalid argument",
    ENOSPC: "No space left on device",
    EROFS: "Read-only file system",
    EOPNOTSUPP: "Operation not supported",
    EAFNOSUPPORT: "Address family not supported by protocol family",
    ENOPROTOOPT: "Protocol not available",
    EPROTONOSUPPORT: "Protocol not supported",
    EADDRINUSE: "Address already in use",
    EADDRNOTAVAIL: "Can't assign requested address",
    ENETDOWN: "Network is down",
    ENETUNREACH: "Network is unreachable",
    ETIMEDOUT: "Operation timed out",
    ECONNREFUSED: "Connection refused",
    ELOOP: "Too many levels of symbolic links",
    ENAMETOOLONG: "File name too long",
    EHOSTDOWN: "Host is down",
    EHOSTUNREACH: "No route to host",
    ENOTEMPTY: "Directory not empty",
    EPFNOSUPPORT: "Protocol family not supported",
    EISCONN: "Socket is already connected",
    ENOTCONN: "Socket is not connected",
    ENOSYS: "Function not implemented",
    EILSEQ: "Illegal byte sequence",
}


class OSErr(Exception):
    """A system call failed with an errno, as the kernel would report it."""

    def __init__(self, errno: int, detail: str = "") -> None:
        super().__init__(errno, detail)
        self.errno = errno
        self.detail = detail

    @property
    def strerror(self) -> str:
        return STRERROR.get(self.errno, f"Unknown error: {self.errno}")

    def __str__(self) -> str:
        return f"{self.detail}: {self.strerror}" if self.detail else self.strerror


def strerror(errno: int) -> str:
    return STRERROR.get(errno, f"Unknown error: {errno}")
