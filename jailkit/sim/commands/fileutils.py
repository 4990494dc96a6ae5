"""The file utilities of bin/: cat, cp, ln, ls, mkdir, mv, rm, rmdir, chmod,
touch, pwd, basename and dirname, with FreeBSD's options, messages
("prog: path: strerror") and exit status 1 on any failure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errno import EEXIST, EISDIR, ENOENT, ENOTDIR, OSErr, strerror
from ..octets import encode, lone_byte
from ...getopt import getopt, option_flags, option_values
from ..proc import Proc, ctype_locale, program
from ..sysexits import EX_USAGE
from ..vfs import (SF_APPEND, SF_IMMUTABLE, UF_APPEND, UF_IMMUTABLE, Device, Dir, File,
                   Mount, Node, Resolved, Symlink, Vfs, flags_to_str, join, nlink, split,
                   setmode, st_size, strmode)

USAGE = {
    "cat": "usage: cat [-belnstuv] [file ...]",
    "cp": "usage: cp [-R [-H | -L | -P]] [-f | -i | -n] [-alpsvx] source_file target_file\n"
          "       cp [-R [-H | -L | -P]] [-f | -i | -n] [-alpsvx] source_file ... target_directory",
    "ln": "usage: ln [-s [-F] | -L | -P] [-f | -i] [-hnv] source_file [target_file]\n"
          "       ln [-s [-F] | -L | -P] [-f | -i] [-hnv] source_file ... target_dir",
    "mkdir": "usage: mkdir [-pv] [-m mode] directory_name ...",
    "mv": "usage: mv [-f | -i | -n] [-hv] source target\n"
          "       mv [-f | -i | -n] [-v] source ... directory",
    "rm": "usage: rm [-f | -i] [-dIPRrvWx] file ...\n       unlink [--] file",
    "rmdir": "usage: rmdir [-pv] directory ...",
    "chmod": "usage: chmod [-fhv] [-R [-H | -L | -P]] mode file ...",
    "touch": "usage: touch [-A [-][[hh]mm]SS] [-achm] [-r file] [-t [[CC]YY]MMDDhhmm[.SS]]\n"
             "       [-d YYYY-MM-DDThh:mm:SS[.frac][tz]] file ...",
    "ls": "usage: ls [-ABCFGHILPRSTUWZabcdfghiklmnopqrstuvwxy1,] [--color=when] [-D format] [file ...]",
}


def _parse(proc: Proc, argv: list[str], optstring: str,
           unmodelled: str = "") -> tuple[set[str], dict[str, str], list[str]] | None:
    """getopt() with the command's usage on a bad option; FreeBSD's options
    in ``unmodelled`` are refused as such (never taken and ignored)."""
    parsed = proc.options(argv, optstring, USAGE[proc.progname] + "\n")
    if parsed is None:
        return None
    opts, args = parsed
    flags = option_flags(opts)
    if proc.refuses(flags & set(unmodelled)):
        return None
    return flags, option_values(opts), args


@program("/bin/cat")
def cat(proc: Proc, argv: list[str]) -> int:
    # -l (lock stdout) and -u (unbuffered) change how cat writes, not what
    parsed = _parse(proc, argv, "belnstuv")
    if parsed is None:
        return 1
    flags, _, files = parsed
    flags |= {"n"} if "b" in flags else set()
    flags |= {"v"} if flags & {"e", "t"} else set()
    cooked = bool(flags & set("nsv"))
    utf8 = cooked and "UTF-8" in ctype_locale(proc.env)
    status = 0
    for name in files or ["-"]:
        try:
            text = proc.stdin.read() if name == "-" else proc.kernel.vfs.read(name, **proc.where())
        except OSErr as exc:
            proc.warn(name, exc)
            status = 1
            continue
        proc.write(_cook(text, flags, utf8) if cooked else text)
    return status


def _cook(text: str, flags: set[str], utf8: bool) -> str:
    """One file as cat -benstv prints it (bin/cat/cat.c cook_cat()): lines
    numbered from 1 in each file, -b leaving out the empty ones (whose
    number column -e still prints blank), -s keeping one empty line of
    each run, -e a $ before each newline, -t tabs as ^I, -v the other
    characters that do not print as ^X and M-X."""
    out: list[str] = []
    line, gobble, prev = 0, False, "\n"
    for ch in text:
        at_start, prev = prev == "\n", ch
        if at_start:
            if "s" in flags:
                if ch == "\n" and gobble:
                    continue
                gobble = ch == "\n"
            if "n" in flags:
                if "b" not in flags or ch != "\n":
                    line += 1
                    out.append(f"{line:6d}\t")
                elif "e" in flags:
                    out.append(f"{'':6s}\t")
        if ch == "\n":
            out.append("$\n" if "e" in flags else ch)
        elif ch == "\t":
            out.append("^I" if "t" in flags else ch)
        elif "v" in flags:
            out.append(_visible(ch, utf8))
        else:
            out.append(ch)
    return "".join(out)


def _visible(ch: str, utf8: bool) -> str:
    """cat -v's form of one character. In a UTF-8 locale one that prints
    is shown as it is; in the C locale each of its bytes counts alone."""
    if not utf8:
        return "".join(_caret(byte) for byte in encode(ch))
    byte = lone_byte(ch)
    if byte is not None:
        return _caret(byte)     # a byte that is no UTF-8, alone
    # iswprint(3) takes the space separators (no-break space, ideographic
    # space) as printing, where Python's isprintable() does not
    prints = ch.isprintable() or unicodedata.category(ch) == "Zs"
    return ch if not ch.isascii() and prints else _caret(ord(ch))


def _caret(code: int) -> str:
    """Outside ASCII: M- and the low seven bits (toascii(3)); then a control
    character as ^ and the character 64 above it, DEL as ^?."""
    shown = ""
    if code >= 0x80:
        shown, code = "M-", code & 0x7F
    if code < 0x20 or code == 0x7F:
        return shown + "^" + ("?" if code == 0x7F else chr(code | 0x40))
    return shown + chr(code)


@program("/bin/mkdir")
def mkdir(proc: Proc, argv: list[str]) -> int:
    # bin/mkdir/mkdir.c: -m is a setmode(3) mode applied to 0777 (getmode),
    # which mkdir(2) takes the umask's bits from and chmod(2) then sets
    # whole on a directory made; -p makes each missing parent u+wx whatever
    # the umask (build(), POSIX), -v names each directory made
    parsed = _parse(proc, argv, "m:pv")
    if parsed is None:
        return EX_USAGE
    flags, values, dirs = parsed
    if not dirs:
        proc.error(USAGE["mkdir"] + "\n")
        return EX_USAGE
    asked = values.get("m")
    omode = 0o777 if asked is None else setmode(asked, 0o777, True, proc.umask)
    if omode is None:
        proc.warnx(f"invalid file mode: {asked}")
        return 1
    status = 0
    for name in dirs:
        made = _build(proc, name, omode, "v" in flags) if "p" in flags else \
            _mkdir_one(proc, name, omode, "v" in flags)
        if not made:
            status = 1
        elif made == 1 and asked is not None:
            try:
                proc.kernel.vfs.chmod(name, omode, **proc.where())
            except OSErr as exc:
                proc.warn(name, exc)
                status = 1
    return status


def _mkdir_one(proc: Proc, name: str, omode: int, verbose: bool) -> int:
    """mkdir(2) of ``name``: 1 when made, 0 when not (warned: a missing or
    non-directory parent is named by the parent's path, dirname(3))."""
    try:
        proc.kernel.vfs.mkdir(name, mode=proc.created(omode), **proc.where())
    except OSErr as exc:
        proc.warn(_dirname(name) if exc.errno in (ENOENT, ENOTDIR) else name, exc)
        return 0
    if verbose:
        proc.write(name + "\n")
    return 1


def _build(proc: Proc, path: str, omode: int, verbose: bool) -> int:
    """mkdir.c build(): each path prefix made in turn, the parents with
    0777 less the umask but u+wx, the last with ``omode`` less the umask;
    1 when the last was made, 2 when it was a directory already, 0 on a
    failure (warned, naming the prefix)."""
    vfs = proc.kernel.vfs
    parents = 0o777 & ~(proc.umask & ~0o300)
    index = 1 if path.startswith("/") else 0
    while True:
        if index < len(path) and path[index] != "/":
            index += 1
            continue
        last = index >= len(path) - 1
        prefix = path if index >= len(path) else path[:index]
        try:
            vfs.mkdir(prefix, mode=proc.created(omode) if last else parents, **proc.where())
        except OSErr as exc:
            if exc.errno not in (EEXIST, EISDIR):
                proc.warn(prefix, exc)
                return 0
            if not isinstance(vfs.find(prefix, **proc.where()), Dir):
                proc.warn(prefix, OSErr(EEXIST if last else ENOTDIR))
                return 0
            if last:
                return 2
        else:
            if verbose:
                proc.write(prefix + "\n")
        if last:
            return 1
        index += 1


def _dirname(path: str) -> str:
    """dirname(3): the path without its last component ("." for none)."""
    head = path.rstrip("/")
    if not head:
        return "/" if path else "."
    parent = head.rpartition("/")[0].rstrip("/")
    return parent or ("/" if head.startswith("/") else ".")


@program("/bin/rmdir")
def rmdir(proc: Proc, argv: list[str]) -> int:
    # bin/rmdir/rmdir.c: -v names each directory removed; -p then removes
    # each parent the path names, stopping at the first that fails
    parsed = _parse(proc, argv, "pv")
    if parsed is None:
        return 1
    flags, _, dirs = parsed
    if not dirs:
        proc.error(USAGE["rmdir"] + "\n")
        return 1
    status = 0
    for name in dirs:
        for path in [name] + (_parents(name) if "p" in flags else []):
            try:
                proc.kernel.vfs.rmdir(path, **proc.where())
            except OSErr as exc:
                proc.warn(path, exc)
                status = 1
                break
            if "v" in flags:
                proc.write(path + "\n")
    return status


def _parents(path: str) -> list[str]:
    """rm_path(): each shorter path, trailing slashes taken off, until "/"."""
    parents = []
    path = path.rstrip("/")
    while "/" in path:
        path = path.rpartition("/")[0].rstrip("/")
        if not path:
            break
        parents.append(path)
    return parents


@program("/bin/rm")
def rm(proc: Proc, argv: list[str]) -> int:
    parsed = _parse(proc, argv, "dfiIPRrvWx", unmodelled="iIW")     # -P: no effect (rm(1))
    if parsed is None:
        return 1
    flags, _, files = parsed
    if not files:
        if "f" in flags:
            return 0
        proc.error(USAGE["rm"] + "\n")
        return 1
    options = _RmOptions(recursive=bool(flags & {"r", "R"}), force="f" in flags,
                         verbose="v" in flags, one_fs="x" in flags, dirs="d" in flags)
    # rm.c's checkdot() then checkslash(): such operands are dropped before
    # anything is removed, each refusal said once however many there are.
    dots = [name for name in files if name.rpartition("/")[2] in (".", "..")]
    if dots:
        proc.warnx('"." and ".." may not be removed')
    slashes = [name for name in files if name == "/"]
    if slashes:
        proc.warnx('"/" may not be removed')
    status = int(bool(dots or slashes))
    for name in files:
        if name not in dots and name not in slashes:
            status |= _remove(proc, name, options)
    return status


@dataclass(frozen=True)
class _RmOptions:
    recursive: bool     # -r, -R
    force: bool         # -f
    verbose: bool       # -v
    one_fs: bool        # -x: fts(3) FTS_XDEV
    dirs: bool          # -d: a directory operand is rmdir'd (rm.c rm_file)


def _remove(proc: Proc, path: str, options: _RmOptions) -> int:
    try:
        found = proc.kernel.vfs.resolve(path, follow=False, **proc.where())
    except OSErr as exc:
        return _missing(proc, path, exc, options.force)
    return _remove_found(proc, path, found, options, found.mount)


def _missing(proc: Proc, path: str, exc: OSErr, force: bool) -> int:
    if force and exc.errno == ENOENT:
        return 0
    proc.warn(path, exc)
    return 1


def _remove_found(proc: Proc, path: str, found: Resolved, options: _RmOptions,
                  top: Mount | None) -> int:
    """Remove what ``path`` names, ``found`` (a directory's entries from the
    directory held, as fts(3) hands rm.c each entry of the one it reads).
    A mount point is crossed, unless -x: then a directory of another file
    system than the operand's (``top``) is not entered, and its rmdir fails."""
    vfs = proc.kernel.vfs
    node = found.node
    if node is None:
        return _missing(proc, path, OSErr(ENOENT), options.force)
    status = 0
    if isinstance(node, Dir) and not options.recursive and not options.dirs:
        proc.warnx(f"{path}: is a directory")
        return 1
    try:
        _clear_user_flags(proc, found, node)
        if isinstance(node, Dir):
            if options.recursive and not (options.one_fs and found.mount is not top):
                # an absolute path is named as join() makes it, worked out
                # once for all of the directory's entries
                head = join(path).rstrip("/") if path.startswith("/") else path
                for child in sorted(node.entries):
                    status |= _remove_found(proc, f"{head}/{child}", vfs.entry(found, child),
                                            options, top)
            vfs.rmdir_at(found)
        else:
            vfs.unlink_at(found)
        if options.verbose:
            proc.write(path + "\n")
    except OSErr as exc:
        proc.warn(path, exc)
        return 1
    return status


def _clear_user_flags(proc: Proc, found: Resolved, node: Node) -> None:
    """bin/rm: root takes a user's uchg/uappnd off before removing; a
    super-user flag (schg, sappnd) stays, and the removal fails."""
    if proc.user != "root" or not node.flags & (UF_APPEND | UF_IMMUTABLE) or \
            node.flags & (SF_APPEND | SF_IMMUTABLE):
        return
    proc.kernel.vfs.chflags_at(found, node.flags & ~(UF_APPEND | UF_IMMUTABLE),
                               sysflags=proc.kernel.sysflags_allowed(proc.prison, proc.user))


@program("/bin/cp")
def cp(proc: Proc, argv: list[str]) -> int:
    parsed = _parse(proc, argv, "HLPRafilnprsvx", unmodelled="ilnsv")
    if parsed is None:
        return 1
    flags, _, args = parsed
    if len(args) < 2:
        proc.error(USAGE["cp"] + "\n")
        return 1
    recursive = bool(flags & {"R", "a", "r"})
    preserve = bool(flags & {"p", "a"})
    *sources, target = args
    vfs = proc.kernel.vfs
    target_found = vfs.resolve(target, **proc.where())
    into_dir = isinstance(target_found.node, Dir)
    if len(sources) > 1 and not into_dir:
        proc.warnx(f"{target}: Not a directory" if target_found.node else f"{target}: No such file or directory")
        return 1
    status = 0
    for source in sources:
        try:
            found = vfs.resolve(source, follow=not recursive or "L" in flags, **proc.where())
            node = found.node
            if node is None:
                raise OSErr(ENOENT)
        except OSErr as exc:
            proc.warn(source, exc)
            status = 1
            continue
        # "cp -R dir/. target" copies what is in dir, not dir itself.
        contents_only = source == "." or source.rstrip("/").endswith("/.")
        name = "" if contents_only else (split(source)[-1] if split(source) else "")
        destination = f"{target.rstrip('/')}/{name}" if into_dir and name else target
        if isinstance(node, Dir) and not recursive:
            proc.error(f"cp: {source} is a directory (not copied).\n")
            status = 1
            continue
        # -x (fts(3) FTS_XDEV): a directory of another file system than the
        # operand's comes back from fts only in post-order, which cp.c
        # copies nothing for: it is left out, not made empty
        status |= _copy(proc, source, destination, found, preserve,
                        top=found.mount if "x" in flags else None)
    return status


def _copy(proc: Proc, source: str, destination: str, found: Resolved, preserve: bool,
          into: Resolved | None = None, top: Mount | None = None) -> int:
    """Copy ``found`` (what ``source`` names; a directory's entries from the
    directory held, as fts(3) hands cp.c each one) to ``destination``: in
    the directory ``into`` holds when it is a copied directory's entry.
    ``top``: with -x, the operand's mount, which the copy does not leave."""
    node = found.node
    assert node is not None
    status = _copy_node(proc, source, destination, found, node, preserve, into, top)
    if preserve and node.flags and not isinstance(node, Symlink):
        status |= _keep_flags(proc, destination, node.flags, into)
    return status


def _target(proc: Proc, destination: str, into: Resolved | None, *, follow: bool) -> Resolved:
    """What resolve(destination, follow=follow) finds: the entry of the
    directory held when there is one (a link there to follow excepted: it
    is resolved as the process sees it), so a tree's copy is not looked up
    again by its whole path at each node."""
    vfs = proc.kernel.vfs
    if into is not None:
        found = vfs.entry(into, destination.rsplit("/", 1)[-1])
        if not (follow and isinstance(found.node, Symlink)):
            return found
    return vfs.resolve(destination, follow=follow, **proc.where())


def _keep_flags(proc: Proc, destination: str, flags: int, into: Resolved | None) -> int:
    """bin/cp setfile(): -p sets the source's st_flags on the copy once it
    is complete (a directory after its contents)."""
    try:
        proc.kernel.vfs.chflags_at(_target(proc, destination, into, follow=False), flags,
                                   sysflags=proc.kernel.sysflags_allowed(proc.prison, proc.user))
    except OSErr as exc:
        proc.warn(f"chflags: {destination}", exc)
        return 1
    return 0


def _copy_node(proc: Proc, source: str, destination: str, found: Resolved, node: Node,
               preserve: bool, into: Resolved | None, top: Mount | None) -> int:
    vfs = proc.kernel.vfs
    try:
        if isinstance(node, Dir):
            held = _target(proc, destination, into, follow=True)
            if held.node is None:
                vfs.mkdir_at(_target(proc, destination, into, follow=False), mode=node.mode)
                held = _target(proc, destination, into, follow=True)
            elif not isinstance(held.node, Dir):
                raise OSErr(ENOTDIR, destination)
            status = 0
            source_head, destination_head = source.rstrip("/"), destination.rstrip("/")
            for child in sorted(node.entries):
                entry = vfs.entry(found, child)
                if top is not None and isinstance(entry.node, Dir) and entry.mount is not top:
                    continue
                status |= _copy(proc, f"{source_head}/{child}", f"{destination_head}/{child}",
                                entry, preserve, held, top)
            return status
        if isinstance(node, Symlink):
            vfs.place_at(_target(proc, destination, into, follow=False), Symlink(node.target))
        elif isinstance(node, File):
            _copy_file(proc, _target(proc, destination, into, follow=True), node, preserve)
        elif isinstance(node, Device):
            vfs.place_at(_target(proc, destination, into, follow=False),
                         Device(node.name, node.mode))
    except OSErr as exc:
        proc.warn(exc.detail or destination, exc)
        return 1
    return 0


def _copy_file(proc: Proc, found: Resolved, node: File, preserve: bool) -> None:
    """bin/cp copy_file(): an existing destination (``found`` following a
    link) is opened for writing (O_TRUNC, following a symbolic link, as
    FreeBSD 14's cp does) and keeps its mode; a new one is opened with the
    source's mode less setuid and setgid (O_CREAT: the umask takes its
    bits too); -p then sets the source's mode whole (setfile())."""
    copy = Vfs.write_at(found, node.data, mode=proc.created(node.mode & ~0o6000))
    if isinstance(copy, File):
        copy.program = node.program     # a copied program still runs
        if preserve:
            copy.mode = node.mode


@program("/bin/mv")
def mv(proc: Proc, argv: list[str]) -> int:
    # bin/mv/mv.c: of -f, -i and -n the last counts: -n leaves an existing
    # target, -i asks on stderr and reads the answer; -v names each move;
    # -h takes a target that is a link to a directory as the link
    parsed = proc.options(argv, "fhinv", USAGE["mv"] + "\n")
    if parsed is None:
        return 1
    opts, args = parsed
    flags = option_flags(opts)
    existing = next((flag for flag, _ in reversed(opts) if flag in "fin"), "f")
    if len(args) < 2:
        proc.error(USAGE["mv"] + "\n")
        return 1
    *sources, target = args
    vfs = proc.kernel.vfs
    into_dir = isinstance(vfs.resolve(target, follow="h" not in flags, **proc.where()).node, Dir)
    status = 0
    for source in sources:
        # into a directory, each source goes to directory/basename
        destination = f"{target.rstrip('/')}/{(split(source) or [''])[-1]}" if into_dir else target
        if existing != "f" and vfs.resolve(destination, follow=False, **proc.where()).node is not None:
            if existing == "n":
                if "v" in flags:
                    proc.write(f"{destination} not overwritten\n")
                continue
            proc.error(f"overwrite {destination}? (y/n [n]) ")
            if not (proc.stdin.readline() or "").startswith(("y", "Y")):
                proc.error("not overwritten\n")
                continue
        try:
            vfs.rename(source, destination, **proc.where())
        except OSErr as exc:
            proc.error(f"mv: rename {source} to {destination}: {exc.strerror}\n")
            status = 1
            continue
        if "v" in flags:
            proc.write(f"{source} -> {destination}\n")
    return status


@program("/bin/ln")
def ln(proc: Proc, argv: list[str]) -> int:
    # bin/ln/ln.c: -v names each link (-> a symbolic one, => a hard one);
    # -w warns when a symbolic link's source does not exist
    parsed = _parse(proc, argv, "FLPfhinsvw", unmodelled="Fi")
    if parsed is None:
        return 1
    flags, _, args = parsed
    if not args:
        proc.error(USAGE["ln"] + "\n")
        return 1
    source = args[0]
    target = args[1] if len(args) > 1 else split(source)[-1]
    vfs = proc.kernel.vfs
    existing = vfs.resolve(target, follow="h" not in flags and "n" not in flags, **proc.where())
    if isinstance(existing.node, Dir) and len(args) > 1:
        target = f"{target.rstrip('/')}/{split(source)[-1]}"
    try:
        if "f" in flags and vfs.resolve(target, follow=False, **proc.where()).node is not None:
            vfs.unlink(target, **proc.where())
        if "s" in flags:
            if "w" in flags:
                base = target.rpartition("/")[0] if "/" in target else "."
                seen = source if source.startswith("/") else f"{base}/{source}"
                if vfs.find(seen, **proc.where()) is None:
                    proc.warnx(f"warning: {source}: {strerror(ENOENT)}")
            vfs.symlink(source, target, **proc.where())
        else:
            node = vfs.lookup(source, **proc.where())
            if isinstance(node, Dir):
                raise OSErr(EISDIR, source)
            vfs.place(target, node, **proc.where())
    except OSErr as exc:
        proc.warn(exc.detail or target, exc)
        return 1
    if "v" in flags:
        proc.write(f"{target} {'-' if 's' in flags else '='}> {source}\n")
    return 0


@program("/bin/chmod")
def chmod(proc: Proc, argv: list[str]) -> int:
    # bin/chmod/chmod.c: -R goes down each directory, contents first (links
    # not followed: -P, the default), -v names each file changed, -f keeps
    # quiet about what could not be changed and leaves the status 0, -h
    # changes a link
    parsed = _parse(proc, argv, "HLPRfhv")
    if parsed is None:
        return 1
    flags, _, args = parsed
    if len(args) < 2:
        proc.error(USAGE["chmod"] + "\n")
        return 1
    mode_text, files = args[0], args[1:]
    if setmode(mode_text, 0o644, False, proc.umask) is None:
        proc.warnx(f"Invalid file mode: {mode_text}")
        return 1
    vfs = proc.kernel.vfs
    status = 0

    def change(path: str, node: Node, follow: bool) -> None:
        nonlocal status
        mode = setmode(mode_text, node.mode & 0o7777, isinstance(node, Dir), proc.umask)
        assert mode is not None     # the text was checked above
        try:
            vfs.chmod(path, mode | (node.mode & ~0o7777), follow=follow, **proc.where())
        except OSErr as exc:
            if "f" not in flags:
                proc.warn(path, exc)
                status = 1
            return
        if "v" in flags:
            proc.write(path + "\n")

    def down(path: str, node: Node) -> None:
        # chmod.c changes a directory at FTS_DP, after what is in it (a
        # mode without x must not stop the walk); links found are skipped
        if isinstance(node, Dir):
            base = path[:-1] if path.endswith("/") else path
            for name in sorted(node.entries):
                child = vfs.child(node, name)
                if child is not None and not isinstance(child, Symlink):
                    down(f"{base}/{name}", child)
        change(path, node, follow=False)

    for name in files:
        try:
            node = vfs.lookup(name, follow="h" not in flags, **proc.where())
        except OSErr as exc:
            if "f" not in flags:
                proc.warn(name, exc)
                status = 1
            continue
        if "R" in flags:
            down(name, node)
        else:
            change(name, node, follow="h" not in flags)
    return status


@program("/usr/bin/touch")
def touch(proc: Proc, argv: list[str]) -> int:
    # The sim keeps no file times: -a, -m, -f and -h change nothing it
    # shows; -A, -d and -t take times whose grammar it does not check, so
    # they are refused. -r FILE must exist (touch.c stat_f(): err(1)).
    parsed = _parse(proc, argv, "A:acd:fhmr:t:", unmodelled="Adt")
    if parsed is None:
        return 1
    flags, values, files = parsed
    if not files:
        proc.error(USAGE["touch"] + "\n")
        return 1
    vfs = proc.kernel.vfs
    if "r" in flags and vfs.resolve(values["r"], **proc.where()).node is None:
        proc.warn(values["r"], OSErr(ENOENT))
        return 1
    status = 0
    for name in files:
        found = vfs.resolve(name, **proc.where())
        if found.node is not None or "c" in flags:
            continue
        try:
            vfs.write(name, "", mode=proc.created(), **proc.where())
        except OSErr as exc:
            proc.warn(name, exc)
            status = 1
    return status


# ls(1)'s options (getopt's string in bin/ls/ls.c) and those the sim
# models (-g has no effect: 4.3BSD's); the others change what ls prints
# (columns, order, suffixes, inode numbers, sizes), so they are refused as
# not modelled, never ignored.
LS_OPTIONS = "1ABCFGHILPRSTUWZabcdfghiklmnopqrstuvwxy"
LS_MODELLED = frozenset("1AIRadglo")


@dataclass
class _LsOptions:
    long: bool           # -l, unless a -1 came after it (each cancels the other)
    listdir: bool        # -d: directories as themselves, never their entries
    recursive: bool      # -R
    dots: bool           # -a: . and .. too
    hidden: bool         # -a, -A, or root without -I: names that start with a dot
    file_flags: bool     # -o


def _ls_options(proc: Proc, opts: list[tuple[str, str | None]]) -> _LsOptions:
    """bin/ls/ls.c main()'s reading of the options, in their order; root
    lists hidden names unless -I ("Root is -A automatically")."""
    flags = {flag for flag, _ in opts}
    long = False
    for flag, _ in opts:
        if flag in ("1", "l"):
            long = flag == "l"
    hidden = bool(flags & {"a", "A"}) or (proc.user == "root" and "I" not in flags)
    return _LsOptions(long, "d" in flags, "R" in flags, "a" in flags, hidden, "o" in flags)


@program("/bin/ls")
def ls(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, LS_OPTIONS, USAGE["ls"] + "\n")
    if parsed is None:
        return 1
    opts, names = parsed
    if proc.refuses({flag for flag, _ in opts} - LS_MODELLED):
        return 1
    if "" in names:
        proc.warnx("fts_open: No such file or directory")    # fts_open() refuses an empty name
        return 1
    options = _ls_options(proc, opts)
    status = 0
    directories: list[tuple[str, Dir]] = []
    plain: list[tuple[str, Node | None]] = []
    # Operand symlinks are followed but for -l and -d (FTS_COMFOLLOW); one
    # to nothing is listed as the link (fts falls back to lstat). Operands
    # are taken in name order, so their errors come in it too (mastercmp).
    follow = not options.long and not options.listdir
    for name in sorted(names) or ["."]:
        try:
            node = _operand(proc, name, follow or name.endswith("/"))
        except OSErr as exc:
            proc.warn(name, exc)
            status = 1
            continue
        if not options.listdir and isinstance(node, Dir):
            directories.append((name, node))
        else:
            plain.append((name, node))
    listing = _Listing(proc, options, several=len(names) > 1)
    if plain:      # files first, then each directory
        listing.print(_ls_lines(plain, options.long, options.file_flags))
    for name, node in directories:
        listing.directory(name, node, ())
    proc.write("".join(listing.out))
    return status


def _operand(proc: Proc, name: str, follow: bool) -> Node:
    """An operand's node; a link to nothing is the link itself."""
    vfs, where = proc.kernel.vfs, proc.where()
    try:
        return vfs.lookup(name, follow=follow, **where)
    except OSErr as exc:
        if not follow or exc.errno != ENOENT:
            raise
        link = vfs.lookup(name, follow=False, **where)
        if not isinstance(link, Symlink):
            raise exc from None
        return link


class _Listing:
    """bin/ls traverse() and display(): what ls prints, in order, and
    whether it has printed anything yet (a later directory's name then
    comes after a blank line)."""

    def __init__(self, proc: Proc, options: _LsOptions, several: bool) -> None:
        self.proc, self.options, self.several = proc, options, several
        self.out: list[str] = []
        self.output = False

    def print(self, text: str) -> None:
        if text:
            self.out.append(text)
            self.output = True

    def directory(self, path: str, node: Dir, ancestors: tuple[Dir, ...], listed: bool = True) -> None:
        """A directory: its path first once something has been printed,
        or when ls has several operands, then its entries; with -R each of
        its subdirectories after it, in name order, depth first (fts(3)
        follows no link and crosses mount points). A hidden one, unless
        hidden names are listed, is gone through without being listed (its
        own subdirectories are); one that is its own ancestor is a cycle
        (FTS_DC), named and not gone into."""
        options = self.options
        if listed:
            if self.output:
                self.out.append(f"\n{path}:\n")
            elif self.several:
                self.print(f"{path}:\n")
            self.print(("total 0\n" if options.long else "")
                       + _ls_lines(self._entries(path, node), options.long, options.file_flags))
        if not options.recursive:
            return
        vfs = self.proc.kernel.vfs
        # fts_build() puts one slash between a path and a name: a path's
        # own trailing slash is not doubled, but only one is taken off
        base = path[:-1] if path.endswith("/") else path
        for name in sorted(node.entries):
            child = vfs.child(node, name)
            if type(child) is not Dir:
                continue
            if child is node or child in ancestors:
                self.proc.warnx(f"{name}: directory causes a cycle")
                continue
            self.directory(f"{base}/{name}", child, (*ancestors, node),
                           listed=options.hidden or not name.startswith("."))

    def _entries(self, path: str, node: Dir) -> list[tuple[str, Node | None]]:
        """The entries display() prints, each from the directory itself (as
        readdir gives it), not looked up again by its path; only . and ..
        are. A short listing prints the names alone."""
        options = self.options
        shown = [e for e in sorted(node.entries) if options.hidden or not e.startswith(".")]
        if options.dots:
            shown = [".", ".."] + shown
        if not options.long:
            return [(e, None) for e in shown]
        vfs = self.proc.kernel.vfs
        return [(e, vfs.child(node, e) or node if e not in (".", "..") else
                 _dot_entry(self.proc, f"{path.rstrip('/')}/{e}", node)) for e in shown]


def _dot_entry(proc: Proc, path: str, directory: Node) -> Node:
    try:
        return proc.kernel.vfs.lookup(path, follow=False, **proc.where())
    except OSErr:
        return directory


def _ls_lines(entries: list[tuple[str, Node | None]], long: bool, show_flags: bool) -> str:
    """bin/ls printlong(): the columns padded to the widest entry of the
    listing; -o adds the file flags (fflagstostr(3), "-" for none). A
    short listing's entries need no node."""
    if not long:
        return "".join([f"{name}\n" for name, _ in entries])
    nodes = [node for _, node in entries if node is not None]
    assert len(nodes) == len(entries), "a long listing has each entry's node"
    columns = [(strmode(node), str(nlink(node)), "root", "wheel",
                flags_to_str(node.flags) or "-", str(st_size(node))) for node in nodes]
    widths = [max((len(row[i]) for row in columns), default=0) for i in range(6)]
    lines = []
    for (mode, links, user, group, flags, size), (name, _), node in zip(columns, entries, nodes):
        flag_column = f"{flags:<{widths[4]}} " if show_flags else ""
        target = f" -> {node.target}" if isinstance(node, Symlink) else ""
        lines.append(f"{mode} {links:>{widths[1]}} {user:<{widths[2]}}  {group:<{widths[3]}}  "
                     f"{flag_column}{size:>{widths[5]}} Nov 22 18:00 {name}{target}\n")
    return "".join(lines)


@program("/bin/pwd")
def pwd(proc: Proc, argv: list[str]) -> int:
    proc.write(proc.cwd + "\n")
    return 0


@program("/usr/bin/basename")
def basename(proc: Proc, argv: list[str]) -> int:
    """usr.bin/basename/basename.c: -a takes every operand as a string,
    -s SUFFIX strips SUFFIX from each; without either a second operand is
    the suffix. The suffix is kept when it is the whole name."""
    usage = "usage: basename string [suffix]\n       basename [-a] [-s suffix] string [...]\n"
    parsed = proc.options(argv, "as:", usage)
    if parsed is None:
        return 1
    opts, args = parsed
    flags, values = option_flags(opts), option_values(opts)
    if not args:
        proc.error(usage)
        return 1
    if not args[0]:
        proc.write("\n")
        return 0
    suffix = values.get("s")
    if suffix is None and "a" not in flags and len(args) == 2:
        suffix, args = args[1], args[:1]
    for string in args:
        base = string.rstrip("/").rsplit("/", 1)[-1] or "/"
        if suffix and base.endswith(suffix) and base != suffix:
            base = base[: -len(suffix)]
        proc.write(base + "\n")
    return 0


@program("/usr/bin/dirname")
def dirname(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        proc.error("usage: dirname string [...]\n")
        return 1
    for path in argv[1:]:
        stripped = path.rstrip("/")
        if not stripped:
            parent = "/"
        elif "/" not in stripped:
            parent = "."
        else:
            parent = stripped.rsplit("/", 1)[0].rstrip("/") or "/"
        proc.write(parent + "\n")
    return 0

