"""sh(1): the shell as a program (``sh -c``, ``sh script``, or a script on
standard input)."""

from __future__ import annotations

from ..errno import OSErr
from ..proc import PROGRAMS, Proc, program
from ..sh.shell import OPTION_NAMES, OPTIONS, Shell
from ..vfs import File


@program("/bin/sh")
def main(proc: Proc, argv: list[str]) -> int:
    # bin/sh/options.c options(1): letters after - turn options on, after +
    # off, -o NAME by name; -c reads the command from the first operand;
    # "-" or "--" ends the options.
    args = argv[1:]
    options: dict[str, bool] = {}
    command = False
    while args and len(args[0]) > 1 and args[0][0] in "-+":
        word = args.pop(0)
        if word == "--":
            break
        for letter in word[1:]:
            if letter == "c":
                command = True
            elif letter == "o" and args:
                name = args.pop(0)
                if name not in {option for _, option in OPTIONS}:
                    proc.error(f"sh: Illegal option -o {name}\n")
                    return 2
                options[name] = word[0] == "-"
            elif letter in OPTION_NAMES:
                options[OPTION_NAMES[letter]] = word[0] == "-"
            else:
                proc.error(f"sh: Illegal option -{letter}\n")
                return 2
    if args[:1] == ["-"]:
        args.pop(0)
    if command:
        if not args:
            proc.error("sh: -c: option requires an argument\n")
            return 2
        source, name, rest = args[0], (args[1] if len(args) > 1 else argv[0]), args[2:]
        shell = Shell(proc, name=name, args=rest, command_name="sh")
    elif args and not options.get("stdin"):     # -s: the operands are $1...
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
        shell = Shell(proc, name="sh", args=args, command_name="sh")
    for name, on in options.items():
        shell.set_option(name, on)
    return shell.run_source(source)
