"""mktemp(1): make temporary files or directories with unique names
(usr.bin/mktemp/mktemp.c): each template's trailing X's replaced by letters
and digits as mkstemp(3)/mkdtemp(3) pick them (from the kernel's seeded
generator, so a run repeats), the file created 0600 and the directory 0700,
the name printed; with no template "-t tmp" in $TMPDIR or /tmp. Failures are
"mkstemp failed on NAME: strerror", exit status 1."""

from __future__ import annotations

import string

from ..errno import EEXIST, OSErr
from ...getopt import getopt
from ..proc import Proc, program

USAGE = ("usage: mktemp [-d] [-p tmpdir] [-q] [-t prefix] [-u] template ...\n"
         "       mktemp [-d] [-p tmpdir] [-q] [-u] -t prefix \n")
# lib/libc/stdio/mktemp.c padchar[]
PADCHAR = string.digits + string.ascii_uppercase + string.ascii_lowercase
# _gettemp() gives up after trying every name; the sim tries this many
TRIES = 100


@program("/usr/bin/mktemp")
def mktemp(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "dp:qt:u", USAGE)
    if parsed is None:
        return 1
    opts, templates = parsed
    flags = {flag for flag, _ in opts}
    values = {flag: value or "" for flag, value in opts}
    tmpdir = values.get("p") or proc.env.get("TMPDIR") or "/tmp"
    names = [_in_dir(tmpdir, f"{values['t']}.XXXXXXXX")] if "t" in flags else []
    if "p" in flags:
        templates = [_in_dir(tmpdir, t) for t in templates]
    names += templates
    if not names:
        if flags - {"d", "q", "u", "p"}:
            proc.error(USAGE)
            return 1
        names = [_in_dir(tmpdir, "tmp.XXXXXXXX")]
    status = 0
    for template in names:
        status |= _make(proc, template, directory="d" in flags, quiet="q" in flags,
                        unlink="u" in flags)
    return status


def _in_dir(directory: str, name: str) -> str:
    return f"{directory.rstrip('/')}/{name}"


def _make(proc: Proc, template: str, *, directory: bool, quiet: bool, unlink: bool) -> int:
    vfs = proc.kernel.vfs
    stem = template.rstrip("X")
    xs = len(template) - len(stem)
    for _ in range(TRIES):
        name = stem + "".join(proc.kernel.rng.choice(PADCHAR) for _ in range(xs))
        try:
            if vfs.exists(name, **proc.where()):
                raise OSErr(EEXIST)
            if directory:
                vfs.mkdir(name, mode=0o700, **proc.where())
            else:
                vfs.write(name, "", mode=0o600, **proc.where())
        except OSErr as exc:
            if exc.errno == EEXIST and xs:
                continue
            if not quiet:
                proc.warn(f"{'mkdtemp' if directory else 'mkstemp'} failed on {template}", exc)
            return 1
        if unlink:
            (vfs.rmdir if directory else vfs.unlink)(name, **proc.where())
        proc.write(name + "\n")
        return 0
    if not quiet:
        proc.warn(f"{'mkdtemp' if directory else 'mkstemp'} failed on {template}", OSErr(EEXIST))
    return 1
