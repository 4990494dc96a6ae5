"""chflags(1): set or clear file flags (bin/chflags/chflags.c). FLAGS is
octal, or names as strtofflags(3) takes them ("schg", "noschg",
"uchg,nodump"); -R walks a tree physically, changing a directory after
its contents and crossing mount points; a file that cannot change gives
"chflags: PATH: strerror" unless -f, and exit status 1."""

from __future__ import annotations

from ..errno import ENOENT, OSErr, strerror
from ..proc import Proc, program
from ..vfs import Dir, Resolved, Symlink, str_to_flags
from ...getopt import getopt

USAGE = "usage: chflags [-fhvx] [-R [-H | -L | -P]] flags file ...\n"


@program("/bin/chflags")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "HLPRfhvx", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = [flag for flag, _ in opts]
    if len(args) < 2:
        proc.error(USAGE)
        return 1
    if "R" in flags and "h" in flags:
        proc.warnx("the -R and -h options may not be specified together")
        return 1
    change = _parse(proc, args[0])
    if change is None:
        return 1
    walk = _Walk(proc, change, recursive="R" in flags, no_follow="h" in flags,
                 force="f" in flags, verbose=flags.count("v"), one_fs="x" in flags)
    return max((walk.operand(path) for path in args[1:]), default=0)


def _parse(proc: Proc, text: str) -> tuple[bool, int, int] | None:
    """(octal, flags to set, flags to clear), or None after the error."""
    if text[:1] in "01234567" and text:
        try:
            return True, int(text, 8), 0
        except ValueError:
            proc.warnx(f"invalid flags: {text}")
            return None
    parsed = str_to_flags(text)
    if isinstance(parsed, str):
        proc.warnx(f"invalid flag: {parsed}")
        return None
    return False, parsed[0], parsed[1]


class _Walk:
    def __init__(self, proc: Proc, change: tuple[bool, int, int], *, recursive: bool,
                 no_follow: bool, force: bool, verbose: int, one_fs: bool) -> None:
        self.proc = proc
        self.octal, self.set, self.clear = change
        self.recursive = recursive
        self.no_follow = no_follow
        self.force = force
        self.verbose = verbose
        self.one_fs = one_fs

    def operand(self, path: str) -> int:
        vfs = self.proc.kernel.vfs
        # fts: FTS_LOGICAL without -R (symbolic links followed), FTS_PHYSICAL
        # with -R or -h (a link is itself, and skipped unless -h).
        physical = self.recursive or self.no_follow
        try:
            found = vfs.resolve(path, follow=not physical, **self.proc.where())
            if found.node is None:
                raise OSErr(ENOENT)
        except OSErr as exc:
            self.proc.warnx(f"{path}: {exc.strerror}")
            return 1
        return self._visit(path, found, found)

    def _visit(self, path: str, found: Resolved, top: Resolved) -> int:
        """The tree under ``found``, each entry from the directory held, a
        directory after its contents (FTS_DP); a mount point is crossed, as
        fts(3) without FTS_XDEV does: what is changed under it is the mounted
        file system's. With -x (FTS_XDEV) a directory of another file system
        than the operand's is changed, not entered."""
        status = 0
        node = found.node
        if isinstance(node, Dir) and self.recursive and \
                not (self.one_fs and found.mount is not top.mount):
            vfs = self.proc.kernel.vfs
            for name in sorted(node.entries):
                status |= self._visit(f"{path.rstrip('/')}/{name}", vfs.entry(found, name), top)
        if isinstance(node, Symlink) and not self.no_follow:
            return status
        return status | self._change(path, found)

    def _change(self, path: str, found: Resolved) -> int:
        node = found.node
        assert node is not None
        new = self.set if self.octal else (node.flags | self.set) & ~self.clear
        if new == node.flags:
            return 0
        old = node.flags
        try:
            self.proc.kernel.vfs.chflags_at(
                found, new,
                sysflags=self.proc.kernel.sysflags_allowed(self.proc.prison, self.proc.user))
        except OSErr as exc:
            # a failure is named and counted unless -f; with -f, -v names
            # the file as if it had changed (bin/chflags/chflags.c)
            if not self.force:
                self.proc.error(f"chflags: {path}: {strerror(exc.errno)}\n")
                return 1
        if self.verbose:
            detail = f": 0{old:o} -> 0{new:o}" if self.verbose > 1 else ""
            self.proc.write(f"{path}{detail}\n")
        return 0
