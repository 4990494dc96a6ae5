"""install(1) of FreeBSD 14 (usr.bin/xinstall/xinstall.c): ``install [-CcpSsUv]
[-g group] [-m mode] [-o owner] file1 file2``, ``... file1 ... fileN
directory`` and ``install -d [-v] [-g group] [-m mode] [-o owner]
directory ...``, with xinstall's messages and sysexits(3) statuses.

A file is copied to a temporary INS@XXXXXX beside its destination, then
renamed over it; the copy gets the mode (0755 unless -m), so a copied
modelled program still runs. The sim's files record no owner: -o and -g are
checked against the passwd and group files, as xinstall checks them, and
leave ls's "root wheel" as it is."""

from __future__ import annotations

import re

from ..errno import ENOENT, OSErr
from ...getopt import GetoptError, getopt, option_flags, option_values
from ..octets import lines as text_lines
from ..passwd import accounts
from ..proc import Proc, program
from ..vfs import Dir, File, Node, Symlink, split

USAGE = """\
usage: install [-bCcpSsUv] [-f flags] [-g group] [-m mode] [-o owner]
               [-M log] [-D dest] [-h hash] [-T tags]
               [-B suffix] [-l linkflags] [-N dbdir]
               file1 file2
       install [-bCcpSsUv] [-f flags] [-g group] [-m mode] [-o owner]
               [-M log] [-D dest] [-h hash] [-T tags]
               [-B suffix] [-l linkflags] [-N dbdir]
               file1 ... fileN directory
       install -dU [-vU] [-g group] [-m mode] [-N dbdir] [-o owner]
               [-M log] [-D dest] [-h hash] [-T tags]
               directory ...
"""
OPTSTRING = "B:bCcD:df:g:h:l:M:m:N:o:pSsT:Uv"
# Options of xinstall the sim does not model (backups, DESTDIR, flags,
# digests, links, metalogs, other databases, tags): refused, not ignored.
UNMODELLED = "BbDfhlMNT"
EX_USAGE, EX_SOFTWARE, EX_OSERR, EX_CANTCREAT = 64, 70, 71, 73
EFTYPE_TEXT = "Inappropriate file type or format"
DEFAULT_MODE = 0o755        # S_IRWXU | S_IRGRP | S_IXGRP | S_IROTH | S_IXOTH
# mkstemp(3)'s replacement characters for the X's (lib/libc/stdio/mktemp.c).
PADCHAR = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Exit(Exception):
    """err(3)/errx(3): the message is out, install exits with ``status``."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@program("/usr/bin/install")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        return _install_main(proc, argv)
    except Exit as done:
        return done.status


def _usage(proc: Proc) -> None:
    proc.error(USAGE)
    raise Exit(EX_USAGE)


def _install_main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], OPTSTRING)
    except GetoptError as exc:
        proc.warnx(str(exc))
        _usage(proc)
    flags, values = option_flags(opts), option_values(opts)
    unmodelled = [flag for flag in UNMODELLED if flag in flags]
    if unmodelled:
        proc.warnx(f"-{unmodelled[0]} is not modelled by the jailkit sim")
        return 1
    if "s" in flags and "d" in flags:
        proc.warnx("-d and -s may not be specified together")
        _usage(proc)
    mode = DEFAULT_MODE
    if "m" in values:
        parsed = setmode(values["m"], directory="d" in flags)
        if parsed is None:
            proc.warnx(f"invalid file mode: {values['m']}")
            raise Exit(EX_USAGE)
        mode = parsed
    strip = "s" in flags
    if strip and "DONTSTRIP" in proc.env:
        proc.warnx("DONTSTRIP set - will not strip installed binaries")
        strip = False
    if not args or (len(args) == 1 and "d" not in flags):
        _usage(proc)
    if "U" not in flags:
        _check_ids(proc, values)
    if "d" in flags:
        for directory in args:
            _install_dir(proc, directory, mode, "v" in flags)
        return 0
    return _install_files(proc, args, mode, flags, strip)


def setmode(text: str, directory: bool = False) -> int | None:
    """setmode(3)/getmode(3) from 0 (install's starting point): an octal
    mode, or symbolic clauses ``[ugoa]*[+-=][rwxXst]*`` separated by commas;
    X gives execute to a directory only. None when the text is neither."""
    if re.fullmatch(r"[0-7]+", text):
        value = int(text, 8)
        return value if value <= 0o7777 else None
    mode = 0
    for clause in text.split(","):
        found = re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        if found is None:
            return None
        who, op, perms = found.groups()
        mask = _who_mask(who or "a")
        bits = _perm_bits(perms, directory) & mask
        if op == "=":
            mode &= ~mask
        mode = mode & ~bits if op == "-" else mode | bits
    return mode


def _who_mask(who: str) -> int:
    mask = 0
    for letter in who:
        mask |= {"u": 0o4700, "g": 0o2070, "o": 0o0007, "a": 0o7777}[letter]
    return mask


def _perm_bits(perms: str, directory: bool) -> int:
    bits = 0
    for letter in perms:
        if letter == "X" and not directory:
            continue
        bits |= {"r": 0o444, "w": 0o222, "x": 0o111, "X": 0o111, "s": 0o6000, "t": 0o1000}[letter]
    return bits


def _check_ids(proc: Proc, values: dict[str, str]) -> None:
    """gid_from_group(3)/uid_from_user(3), then a plain number."""
    def read(path: str) -> str:
        return proc.kernel.vfs.read(path, **proc.where())

    if "g" in values:
        group = values["g"]
        try:
            names = {line.split(":", 1)[0] for line in text_lines(read("/etc/group"))}
        except OSErr:
            names = set()
        if group not in names and not group.isdigit():
            proc.warnx(f"unknown group {group}")
            raise Exit(1)
    if "o" in values:
        owner = values["o"]
        try:
            users = {account.name for account in accounts(read)}
        except OSErr:
            users = set()
        if owner not in users and not owner.isdigit():
            proc.warnx(f"unknown user {owner}")
            raise Exit(1)


def _install_dir(proc: Proc, path: str, mode: int, verbose: bool) -> None:
    """install_dir(): each missing component is made (0755), the last gets
    the mode; a component that is not a directory stops install."""
    vfs = proc.kernel.vfs
    prefix = "/" if path.startswith("/") else ""
    parts = split(path)
    for count in range(1, len(parts) + 1):
        partial = prefix + "/".join(parts[:count])
        try:
            node = vfs.lookup(partial, **proc.where())
        except OSErr as exc:
            if exc.errno != ENOENT:
                proc.warn(f"stat {partial}", exc)
                raise Exit(EX_OSERR) from None
            try:
                # install.c install_dir(): mkdir(2) with 0755, so the umask applies
                vfs.mkdir(partial, mode=proc.created(0o755), **proc.where())
            except OSErr as failure:
                proc.warn(f"mkdir {partial}", failure)
                raise Exit(EX_OSERR) from None
            if verbose:
                proc.write(f"install: mkdir {partial}\n")
            continue
        if not isinstance(node, Dir):
            proc.warnx(f"{partial} exists but is not a directory")
            raise Exit(EX_OSERR)
    try:
        vfs.chmod(path, mode, **proc.where())
    except OSErr as exc:
        proc.warn(f"chmod {mode:o} {path}", exc)


def _install_files(proc: Proc, args: list[str], mode: int, flags: set[str], strip: bool) -> int:
    *sources, target = args
    found = _node_at(proc, target)
    if isinstance(found, Dir):
        for source in sources:
            base = source.rsplit("/", 1)[-1]
            _install(proc, source, f"{target}{'' if target.endswith('/') else '/'}{base}",
                     mode, flags, strip)
        return 0
    if len(sources) != 1:
        proc.warnx(f"target directory `{target}' does not exist" if found is None
                   else f"target `{target}' is not a directory")
        _usage(proc)
    if found is not None:
        source_node = _stat_source(proc, sources[0])
        if not isinstance(found, File):
            proc.warnx(f"{target}: {EFTYPE_TEXT}")
            raise Exit(EX_CANTCREAT)
        if source_node is found:
            proc.warnx(f"{sources[0]} and {target} are the same file")
            raise Exit(EX_USAGE)
    _install(proc, sources[0], target, mode, flags, strip)
    return 0


def _node_at(proc: Proc, path: str, follow: bool = True) -> Node | None:
    """stat(2) (lstat(2) without ``follow``): the node, or None when
    there is none."""
    try:
        return proc.kernel.vfs.lookup(path, follow=follow, **proc.where())
    except OSErr:
        return None


def _stat_source(proc: Proc, source: str) -> File:
    """stat(2) of the source: it must exist and be a regular file."""
    try:
        node = proc.kernel.vfs.lookup(source, **proc.where())
    except OSErr as exc:
        proc.warn(source, exc)
        raise Exit(EX_OSERR) from None
    if not isinstance(node, File):
        proc.warnx(f"{source}: {EFTYPE_TEXT}")
        raise Exit(EX_OSERR)
    return node


def _install(proc: Proc, source: str, target: str, mode: int, flags: set[str], strip: bool) -> None:
    """install(): copy through a temporary file beside the target, then
    rename it into place and set its mode."""
    node = _stat_source(proc, source)
    if not target:
        proc.warnx("destination cannot be an empty string")
        raise Exit(EX_USAGE)
    vfs = proc.kernel.vfs
    existing = _node_at(proc, target, follow=False)
    if existing is not None and not isinstance(existing, (File, Symlink)):
        proc.warnx(f"{target}: {EFTYPE_TEXT}")
        raise Exit(EX_CANTCREAT)
    if strip and not node.data.startswith("\x7fELF"):
        # strip(1) is not modelled; a modelled ELF program is already stripped.
        proc.warnx(f"-s on {source}, which is not an ELF file, is not modelled by the jailkit sim")
        raise Exit(1)
    compare = bool(flags & {"C", "p"})
    if compare and isinstance(existing, File) and existing.data == node.data \
            and existing.program == node.program:
        _set_mode(proc, target, mode)
        return
    temporary = _temporary_name(proc, target)
    try:
        copy = vfs.write(temporary, node.data, mode=0o600, **proc.where())
    except OSErr as exc:
        proc.warn(temporary, exc)
        raise Exit(EX_OSERR) from None
    if isinstance(copy, File):
        copy.program = node.program     # an installed program still runs
    if "v" in flags:
        proc.write(f"install: {source} -> {target}\n")
    try:
        vfs.rename(temporary, target, **proc.where())
    except OSErr as exc:
        vfs.unlink(temporary, **proc.where())
        proc.warn(f"rename: {temporary} to {target}", exc)
        raise Exit(EX_OSERR) from None
    _set_mode(proc, target, mode)


def _temporary_name(proc: Proc, target: str) -> str:
    """create_tempfile(): INS@XXXXXX in the target's directory, the X's
    filled as mkstemp(3) fills them (from the machine's seeded generator)."""
    directory = target.rsplit("/", 1)[0] + "/" if "/" in target else ""
    letters = "".join(PADCHAR[proc.kernel.rng.randrange(len(PADCHAR))] for _ in range(6))
    return f"{directory}INS@{letters}"


def _set_mode(proc: Proc, target: str, mode: int) -> None:
    try:
        proc.kernel.vfs.chmod(target, mode, **proc.where())
    except OSErr as exc:
        proc.warn(f"{target}: chmod", exc)
        raise Exit(EX_OSERR) from None
