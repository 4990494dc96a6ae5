"""sh(1): the shell as a program (``sh -c``, ``sh script``, or a script on
standard input)."""

from __future__ import annotations

from ..errno import OSErr
from ...getopt import GetoptError, getopt
from ..proc import PROGRAMS, Proc, program
from ..sh.shell import Shell
from ..vfs import File


@program("/bin/sh")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "cesxo:")
    except GetoptError as exc:
        proc.error(f"sh: {exc}\n")
        return 2
    flags = {flag for flag, _ in opts}
    if "c" in flags:
        if not args:
            proc.error("sh: -c: option requires an argument\n")
            return 2
        source, name, rest = args[0], (args[1] if len(args) > 1 else argv[0]), args[2:]
        shell = Shell(proc, name=name, args=rest, command_name="sh")
    elif args:
        path, rest = args[0], args[1:]
        try:
            node = proc.kernel.vfs.lookup(path, **proc.where())
        except OSErr as exc:
            proc.error(f"sh: cannot open {path}: {exc.strerror}\n")
            return 127
        if not isinstance(node, File):
            proc.error(f"sh: cannot open {path}: Is a directory\n")
            return 127
        if node.program is not None and node.data.startswith("#!"):
            # A modelled script (/etc/rc): the model runs in its place.
            return PROGRAMS[node.program](proc, [path] + rest)
        source = node.data
        shell = Shell(proc, name=path, args=rest, command_name=path, script=True)
    else:
        source = proc.stdin.read()
        shell = Shell(proc, name="sh", command_name="sh")
    shell.errexit = "e" in flags
    return shell.run_source(source)
