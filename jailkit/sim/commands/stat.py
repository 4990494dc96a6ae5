"""stat(1) and readlink(1), one program as on FreeBSD (usr.bin/stat/stat.c).

stat prints each file's lstat(2) (stat(2) with -L) through a format: the
default line, -l as ls -l does, -s as shell assignments, -r raw numbers,
-x the Linux-like block, or -f FORMAT with stat's %-conversions (flags
[-# +0], width, .precision, output D O U X F S, piece H M L, datum). readlink
prints a symbolic link's target (-f the canonical path), quietly, and exits
1 when a file is no link. The sim's files all date from the virtual epoch,
belong to root:wheel and live on the root UFS (or devfs)."""

from __future__ import annotations

import re
import zlib

from ..errno import OSErr
from ..kernel import EPOCH
from ..octets import encode
from ..proc import Proc, program
from ..vfs import Device, Dir, File, Node, Symlink, flags_to_str, nlink, st_size, strmode
from ...getopt import Options, getopt, option_values

DEF_FORMAT = ('%d %i %Sp %l %Su %Sg %r %z "%Sa" "%Sm" "%Sc" "%SB" %k %b %#Xf %N')
RAW_FORMAT = "%d %i %#p %l %u %g %r %z %a %m %c %B %k %b %f %N"
LS_FORMAT = "%Sp %l %Su %Sg %Z %Sm %N%SY"
LSF_FORMAT = "%Sp %l %Su %Sg %Z %Sm %N%T%SY"
SHELL_FORMAT = ("st_dev=%d st_ino=%i st_mode=%#p st_nlink=%l st_uid=%u st_gid=%g st_rdev=%r "
                "st_size=%z st_atime=%a st_mtime=%m st_ctime=%c st_birthtime=%B "
                "st_blksize=%k st_blocks=%b st_flags=%f")
LINUX_FORMAT = ('  File: "%N"%n  Size: %-11z  FileType: %HT%n'
                "  Mode: (%OMp%03OLp/%.10Sp)         Uid: (%5u/%8Su)  Gid: (%5g/%8Sg)%n"
                "Device: %Hd,%Ld   Inode: %i    Links: %l%nAccess: %Sa%nModify: %Sm%nChange: %Sc")
# The formats -l, -r, -s and -x choose.
FORMATS = {"l": LS_FORMAT, "r": RAW_FORMAT, "s": SHELL_FORMAT, "x": LINUX_FORMAT}
TIME_FORMAT = "%b %e %T %Y"
CONVERSION = re.compile(r"%([-# +0]*)(\d*)(?:\.(\d*))?([DOUXFS]?)([HML]?)(.)", re.S)
S_IFMT = {Dir: 0o040000, File: 0o100000, Symlink: 0o120000, Device: 0o020000}
DEV_UFS, DEV_DEVFS = 0x5c, 0x5d       # st_dev of / (ada0p2) and of /dev


class BadFormat(Exception):
    pass


@program("/usr/bin/stat", "/usr/bin/readlink")
def main(proc: Proc, argv: list[str]) -> int:
    readlink = proc.progname == "readlink"
    synopsis = ("[-fn] [file ...]" if readlink else
                "[-FLnq] [-f format | -l | -r | -s | -x] [-t timefmt] [file ...]")
    parsed = proc.options(argv, "fn" if readlink else "f:FlLnqrst:x", f"usage: {proc.progname} {synopsis}\n")
    if parsed is None:
        return 1
    opts, files = parsed
    flags = {flag for flag, _ in opts}
    settings = _settings(proc, readlink, opts)
    if settings is None:
        return 1
    statfmt, timefmt = settings
    errors = linkfail = 0
    for index, name in enumerate(files, start=1):
        try:
            node = proc.kernel.vfs.lookup(name, follow="L" in flags, **proc.where())
        except OSErr as exc:
            errors = linkfail = 1
            if not (readlink or "q" in flags):
                proc.warn(f"{name}: stat", exc)
            continue
        try:
            text, failed = _output(proc, name, node, statfmt, timefmt, index)
        except BadFormat as exc:
            proc.warnx(f"{exc}: bad format")
            return 1
        linkfail |= failed
        proc.write(text if text.endswith("\n") or not text or "n" in flags else text + "\n")
    return linkfail if readlink else errors


def _settings(proc: Proc, readlink: bool, opts: Options) -> tuple[str, str] | None:
    """The format and time format the options choose, or None after an error."""
    if readlink:
        return ("%R" if any(f == "f" for f, _ in opts) else "%Y"), TIME_FORMAT
    chosen, ls_f = "", False
    for flag, _ in opts:
        if flag == "F":
            ls_f = True
        elif flag in "flrsx":
            if chosen:
                proc.warnx(f"can't use format '{chosen}' with '{flag}'")
                return None
            chosen = flag
    values = option_values(opts)
    statfmt = values["f"] if chosen == "f" else FORMATS.get(chosen, DEF_FORMAT)
    timefmt = values.get("t")
    if ls_f and chosen not in ("", "l"):
        proc.warnx(f"can't use format '{chosen}' with -F")
        return None
    if ls_f:
        statfmt = LSF_FORMAT
    if timefmt is None:
        timefmt = "%c" if chosen == "x" else TIME_FORMAT
    return statfmt, timefmt


def _output(proc: Proc, name: str, node: Node, statfmt: str, timefmt: str, index: int) -> tuple[str, int]:
    """The format filled in for one file, and whether a link lookup failed."""
    out: list[str] = []
    linkfail = 0
    position = 0
    while position < len(statfmt):
        char = statfmt[position]
        if char != "%":
            out.append(char)
            position += 1
            continue
        simple = {"n": "\n", "t": "\t", "%": "%", "@": str(index)}.get(statfmt[position + 1:position + 2])
        if simple is not None:
            out.append(simple)
            position += 2
            continue
        match = CONVERSION.match(statfmt, position)
        if match is None or match.group(6) not in "RdiplugramcBzbkfvYTNZ":
            raise BadFormat(statfmt[position:position + 2])
        text, failed = _conversion(proc, name, node, match, timefmt)
        out.append(text)
        linkfail |= failed
        position = match.end()
    return "".join(out), linkfail


def _conversion(proc: Proc, name: str, node: Node, match: re.Match[str], timefmt: str) -> tuple[str, int]:
    flags, width, precision, ofmt, piece, datum = match.groups()
    number, string, allowed, default = _datum(proc, name, node, datum, piece, timefmt)
    if datum in "YR" and number is None and string is None:
        return "", 1
    ofmt = ofmt or default
    if ofmt not in allowed:
        raise BadFormat(match.group(0))
    # A datum allows S when it has a string and the numeric formats when it
    # has a number; the last branch only tells the type checker so.
    if ofmt == "S" and string is not None:
        if datum == "Y" and not match.group(4):
            string = string[4:]     # " -> target" only when S is asked for
        text = string if precision is None else string[:int(precision or 0)]
    elif ofmt != "S" and number is not None:
        text = _number(number, ofmt, "#" in flags)
    else:
        raise BadFormat(match.group(0))
    if width:
        text = text.ljust(int(width)) if "-" in flags else \
            text.rjust(int(width), "0" if "0" in flags and ofmt != "S" else " ")
    return text, 0


def _number(value: int, ofmt: str, alternate: bool) -> str:
    if ofmt == "O":
        return ("0" if alternate and value else "") + f"{value:o}"
    if ofmt == "X":
        return ("0x" if alternate and value else "") + f"{value:x}"
    if ofmt == "F":
        return f"{value}.000000000"
    return str(value)


def _datum(proc: Proc, name: str, node: Node, datum: str, piece: str,
           timefmt: str) -> tuple[int | None, str | None, str, str]:
    """(number, string, output formats allowed, default format) of a datum."""
    numeric = "DOUX"
    if datum == "p":
        mode = S_IFMT[type(node)] | node.mode
        text = strmode(node).rstrip()
        if piece == "H":
            return mode >> 12, text[1:4], numeric + "S", "O"
        if piece == "M":
            return (mode >> 9) & 0o7, text[4:7], numeric + "S", "O"
        if piece == "L":
            return mode & 0o777, text[7:10], numeric + "S", "O"
        return mode, text, numeric + "S", "O"
    if datum in "amcB":
        seconds = int(EPOCH.timestamp())
        return seconds, EPOCH.strftime(timefmt), numeric + "FS", "D"
    if datum == "f":
        return node.flags, flags_to_str(node.flags) or "-", numeric + "S", "U"
    if datum in "ug":
        return 0, "root" if datum == "u" else "wheel", numeric + "S", "U"
    if datum in "dr":
        device = DEV_DEVFS if isinstance(node, Device) else DEV_UFS
        value = device if datum == "d" else (0 if not isinstance(node, Device) else 0x17)
        if piece == "H":
            value >>= 8
        elif piece == "L":
            value &= 0xff
        return value, "???", numeric + "S", "U"
    if datum == "N":
        return None, name, "S", "S"
    if datum == "Y":
        if not isinstance(node, Symlink):
            return None, None, "S", "S"
        return None, f" -> {node.target}", "S", "S"
    if datum == "R":
        try:
            return None, proc.kernel.vfs.resolve(name, **proc.where()).path, "S", "S"
        except OSErr:
            return None, None, "S", "S"
    if datum == "T":
        return None, _filetype(node, piece), "S", "S"
    if datum == "Z":
        return None, "0,23" if isinstance(node, Device) else str(st_size(node)), "S", "S"
    value = {"i": _inode(proc, name), "l": nlink(node), "z": st_size(node),
             "b": (st_size(node) + 4095) // 4096 * 8, "k": 32768, "v": 0}[datum]
    return value, None, numeric, "U"


def _filetype(node: Node, piece: str) -> str:
    if piece == "H":
        return {Dir: "Directory", Symlink: "Symbolic Link", Device: "Character Device"}.get(
            type(node), "Regular File")
    if isinstance(node, Dir):
        return "/"
    if isinstance(node, Symlink):
        return "@"
    return "*" if isinstance(node, File) and node.mode & 0o111 else ""


def _inode(proc: Proc, name: str) -> int:
    """A stable inode number for the path (2 for the root, as on UFS)."""
    path = proc.resolve(name, follow=False).path
    return 2 if path == "/" else 3 + zlib.crc32(encode(path)) % 2_000_000
