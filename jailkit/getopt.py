"""BSD getopt(3): options stop at the first operand or at "--", as on FreeBSD
(no GNU argument permutation); getopt_permuted() is getopt_long(3)'s default
order, for the programs that parse with it. Errors carry getopt's own wording
(lib/libc/stdlib/getopt.c: "illegal option -- %c", "option requires an argument -- %c")."""

from __future__ import annotations


# What getopt() returns first: each option as (flag, its argument or None).
Options = list[tuple[str, str | None]]


class GetoptError(Exception):
    def __init__(self, message: str, option: str) -> None:
        super().__init__(message)
        self.option = option


def getopt(args: list[str], optstring: str) -> tuple[Options, list[str]]:
    """Parse ``args`` (without argv[0]); returns ([(flag, value)], operands)."""
    opts: Options = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        i = _cluster(args, i, optstring, opts)
    return opts, args[i:]


def getopt_permuted(args: list[str], optstring: str) -> tuple[Options, list[str]]:
    """getopt_long(3) as FreeBSD's libc runs it by default (PERMUTE): options
    are taken wherever they stand among the operands, up to "--"
    (lib/libc/stdlib/getopt_long.c), with getopt's messages."""
    opts: Options = []
    operands: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return opts, operands + args[i + 1:]
        if not arg.startswith("-") or arg == "-":
            operands.append(arg)
            i += 1
            continue
        i = _cluster(args, i, optstring, opts)
    return opts, operands


def _cluster(args: list[str], i: int, optstring: str, opts: Options) -> int:
    """The options of ``args[i]`` ("-ab", "-pVALUE" or "-p VALUE"), added to
    ``opts``; returns the index of the next argument."""
    arg = args[i]
    j = 1
    while j < len(arg):
        ch = arg[j]
        pos = optstring.find(ch)
        if ch == ":" or pos < 0:
            raise GetoptError(f"illegal option -- {ch}", ch)
        takes_arg = pos + 1 < len(optstring) and optstring[pos + 1] == ":"
        if not takes_arg:
            opts.append((ch, None))
            j += 1
            continue
        if j + 1 < len(arg):
            opts.append((ch, arg[j + 1:]))
        elif i + 1 < len(args):
            i += 1
            opts.append((ch, args[i]))
        else:
            raise GetoptError(f"option requires an argument -- {ch}", ch)
        break
    return i + 1


def option_flags(opts: Options) -> set[str]:
    """Every option given, whether or not it takes an argument."""
    return {flag for flag, _ in opts}


def option_values(opts: Options) -> dict[str, str]:
    """The arguments of the options that take one, by flag; when an option
    is given twice the last one counts, as a command's getopt loop has it."""
    return {flag: value for flag, value in opts if value is not None}


def option_arguments(opts: Options, flag: str) -> list[str]:
    """The arguments of every ``flag`` given, in order (grep -e A -e B)."""
    return [value for name, value in opts if name == flag and value is not None]
