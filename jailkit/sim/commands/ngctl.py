"""ngctl(8): talk to the netgraph(4) graph from a socket node of its own
(usr.sbin/ngctl: main.c, list.c, show.c, mkpeer.c, connect.c, name.c,
rmhook.c, shutdown.c, msg.c, types.c).

ngctl makes its socket node (type "socket", named "ngctlPID") first, runs
one command from its arguments or each line of a -f file, and its node
goes when it exits, taking that node's hooks with it. A failed send is
warn("send msg"), a command's usage error warnx("usage: ...");
the exit status is 0, EX_USAGE (64) or EX_OSERR (71)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errno import ENOENT, OSErr
from ..kernel import Kernel
from ..netgraph import TYPE_MODULES, Netgraph, Node
from ..octets import lines as text_lines
from ..proc import Proc, program
from ..sysexits import EX_NOINPUT, EX_OSERR, EX_USAGE
from ...getopt import GetoptError, getopt

USAGE = "usage: ngctl [-d] [-f file] [-n name] [command ...]\n"
OK, USAGE_ERROR, ERROR, QUIT = "ok", "usage", "error", "quit"
WHITESPACE = " \t\r\n\v\f"
UNNAMED = "<unnamed>"
ROW = "  %-15s %-15s %-12s %-15s %-15s\n"     # show.c FMT


@dataclass
class Session:
    proc: Proc
    kernel: Kernel
    graph: Netgraph
    node: Node           # ngctl's own socket node


@dataclass(frozen=True)
class Command:
    usage: str
    summary: str
    run: Callable[[Session, list[str]], str]
    aliases: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.usage.split()[0]


@program("/usr/sbin/ngctl")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "df:n:", USAGE)
    if parsed is None:
        return EX_USAGE
    opts, operands = parsed
    script: str | None = None
    name = f"ngctl{proc.kernel.spawn(proc.prison.jid, 'ngctl').pid}"
    proc.kernel.processes.pop()          # ngctl runs only while this call does
    for flag, value in opts:
        if flag == "f":
            try:
                script = proc.read_file(value or "")
            except OSErr as exc:
                proc.warn(value or "", exc)         # err(EX_NOINPUT, "%s", optarg)
                return EX_NOINPUT
        elif flag == "n":
            name = value or ""
    try:
        graph, node = proc.kernel.ng_socket(proc.prison, name)
    except OSErr as exc:
        proc.warn("can't create node", exc)
        return EX_OSERR
    session = Session(proc, proc.kernel, graph, node)
    try:
        if operands:
            result = do_command(session, operands)
        elif script is not None:
            result = read_file(session, script)
        else:
            proc.warnx("no command specified")      # no terminal in the sim
            proc.error(USAGE)
            return EX_USAGE
    finally:
        if graph.nodes.get(node.id) is node:
            graph.shutdown(node)        # the socket closes: ngs_detach
    return {OK: 0, QUIT: 0, USAGE_ERROR: EX_USAGE}.get(result, EX_OSERR)


def read_file(session: Session, text: str) -> str:
    """main.c ReadFile(): a line whose first character is '#' is a comment
    (an indented '#' is read as a command, and is unknown); the first
    failing line stops the file."""
    for number, line in enumerate(text_lines(text), start=1):
        if line.startswith("#"):
            continue
        result = do_command(session, _split(line))
        if result != OK:
            session.proc.warnx(f"line {number}: error in file")
            return result
    return OK


def _split(line: str) -> list[str]:
    """strtok() on WHITESPACE: no quoting."""
    for char in WHITESPACE:
        line = line.replace(char, " ")
    return line.split()


def do_command(session: Session, args: list[str]) -> str:
    if not args or not args[0]:
        return OK
    command = find_command(session.proc, args[0])
    if command is None:
        return ERROR
    result = command.run(session, args)
    if result == USAGE_ERROR:
        session.proc.warnx(f"usage: {command.usage}")
    return result


def find_command(proc: Proc, word: str) -> Command | None:
    """FindCommand(): a case-insensitive prefix of one command's name or
    of one of its aliases."""
    found = [c for c in COMMANDS if _matches(c, word)]
    if len(found) > 1:
        proc.warnx(f'"{word}": ambiguous command')
        return None
    if not found:
        proc.warnx(f'"{word}": unknown command')
        return None
    return found[0]


def _matches(command: Command, word: str) -> bool:
    lower = word.lower()
    if len(word) <= len(command.name) and command.name.lower().startswith(lower):
        return True
    return any(len(a) >= len(word) and a.lower().startswith(lower) for a in command.aliases)


def _send(session: Session, action: Callable[[], object]) -> str:
    """NgSendMsg(): a failure is warn("send msg") and CMDRTN_ERROR."""
    try:
        action()
    except OSErr as exc:
        session.proc.warn("send msg", exc)
        return ERROR
    return OK


def _resolve(session: Session, path: str) -> Node:
    return session.graph.resolve(session.node, path)


# -- the commands ------------------------------------------------------------------
def _list(session: Session, args: list[str]) -> str:
    try:
        opts, rest = getopt(args[1:], "ln")
    except GetoptError as exc:
        session.proc.warnx(str(exc))
        return USAGE_ERROR
    if rest:
        return USAGE_ERROR
    flags = {flag for flag, _ in opts}
    nodes = [n for n in session.graph.listing() if n.name or "n" not in flags]
    session.proc.write(f"There are {len(nodes)} total {'named ' if 'n' in flags else ''}nodes:\n")
    for node in nodes:
        if "l" in flags:
            _show_node(session, node, hooks=True)
        else:
            session.proc.write(_node_line(node))
    return OK


def _node_line(node: Node) -> str:
    return "  Name: %-15s Type: %-15s ID: %08x   Num hooks: %d\n" % (
        node.name or UNNAMED, node.type, node.id, len(node.hooks))


def _show(session: Session, args: list[str]) -> str:
    try:
        opts, rest = getopt(args[1:], "n")
    except GetoptError as exc:
        session.proc.warnx(str(exc))
        return USAGE_ERROR
    if len(rest) != 1:
        return USAGE_ERROR
    try:
        node = _resolve(session, rest[0])
    except OSErr as exc:
        session.proc.warn("send msg", exc)
        return ERROR
    _show_node(session, node, hooks=not opts)
    return OK


def _show_node(session: Session, node: Node, hooks: bool) -> None:
    """show.c: the node's line, then a table of its hooks and their peers."""
    out = session.proc.write
    out(_node_line(node))
    if not hooks or not node.hooks:
        return
    out(ROW % ("Local hook", "Peer name", "Peer type", "Peer ID", "Peer hook"))
    out(ROW % ("----------", "---------", "---------", "-------", "---------"))
    for hook in node.hooks:
        peer = hook.peer
        if peer is None:
            continue
        out(ROW % (hook.name, peer.node.name or UNNAMED, peer.node.type,
                   f"{peer.node.id:08x}", peer.name))


def _mkpeer(session: Session, args: list[str]) -> str:
    """mkpeer [path] <type> <hook> <peerhook> ("." when no path)."""
    if len(args) not in (4, 5):
        return USAGE_ERROR
    path, (type_name, ourhook, peerhook) = (args[1] if len(args) == 5 else "."), args[-3:]

    def make() -> None:
        node = _resolve(session, path)
        session.kernel.ng_mkpeer(session.proc.prison, session.graph, node, type_name,
                                 ourhook, peerhook)
    return _send(session, make)


def _connect(session: Session, args: list[str]) -> str:
    """connect [path] <relpath> <hook> <peerhook>: relpath from path's node."""
    if len(args) not in (4, 5):
        return USAGE_ERROR
    path, (relpath, ourhook, peerhook) = (args[1] if len(args) == 5 else "."), args[-3:]

    def join() -> None:
        node = _resolve(session, path)
        other = session.graph.resolve(node, relpath)
        session.graph.connect(node, other, ourhook, peerhook)
    return _send(session, join)


def _name(session: Session, args: list[str]) -> str:
    if len(args) != 3:
        return USAGE_ERROR
    return _send(session, lambda: session.graph.name(_resolve(session, args[1]), args[2]))


def _shutdown(session: Session, args: list[str]) -> str:
    if len(args) != 2:
        return USAGE_ERROR
    return _send(session, lambda: session.graph.shutdown(_resolve(session, args[1])))


def _rmhook(session: Session, args: list[str]) -> str:
    """rmhook [path] <hook>: ENOENT for a hook the node does not have."""
    if len(args) not in (2, 3):
        return USAGE_ERROR
    path, hook_name = (args[1] if len(args) == 3 else "."), args[-1]

    def remove() -> None:
        node = _resolve(session, path)
        hook = node.hook(hook_name)
        if hook is None:
            raise OSErr(ENOENT)
        session.graph.rmhook(hook)
    return _send(session, remove)


def _msg(session: Session, args: list[str]) -> str:
    """msg <path> <command> [args ...]: the answer, if any, as MsgRead()
    prints it, from the answering node's ID address."""
    if len(args) < 3:
        return USAGE_ERROR
    answers: list[tuple[Node, tuple[str, int, str]]] = []

    def send() -> None:
        node = _resolve(session, args[1])
        answer = session.graph.message(node, " ".join(args[2:]))
        if answer is not None:
            answers.append((node, answer))
    result = _send(session, send)
    for node, (command, number, text) in answers:
        session.proc.write(f'Rec\'d response "{command}" ({number}) from "{node.path}":\n')
        session.proc.write(f"Args:\t{text}\n" if text else "No arguments\n")
    return result


def _help(session: Session, args: list[str]) -> str:
    if len(args) <= 1:
        session.proc.write("Available commands:\n")
        for command in COMMANDS:
            session.proc.write("  %-10s %s\n" % (command.name, command.summary))
        return OK
    wanted = find_command(session.proc, args[1])
    if wanted is not None:
        session.proc.write(f"usage:    {wanted.usage}\n")
        if wanted.aliases:
            session.proc.write(f"Aliases:  {', '.join(wanted.aliases)}\n")
        session.proc.write(f"Summary:  {wanted.summary}\n")
    return OK


def _read(session: Session, args: list[str]) -> str:
    if len(args) != 2:
        return USAGE_ERROR
    try:
        text = session.proc.read_file(args[1])
    except OSErr as exc:
        session.proc.warn(args[1], exc)
        return ERROR
    return read_file(session, text)


def _types(session: Session, args: list[str]) -> str:
    """types.c: the types the kernel has, with their node counts."""
    if len(args) != 1:
        return USAGE_ERROR
    loaded = [t for t, module in TYPE_MODULES.items() if module in session.kernel.modules]
    out = session.proc.write
    out(f"There are {len(loaded)} total types:\n")
    if loaded:
        out("%15s   Number of living nodes\n" % "Type name")
        out("%15s   ----------------------\n" % "---------")
    for type_name in loaded:
        count = sum(1 for n in session.graph.nodes.values() if n.type == type_name)
        out("%15s   %5d\n" % (type_name, count))
    return OK


def _quit(session: Session, args: list[str]) -> str:
    return QUIT


# main.c cmds[], in its order (config, debug, dot, status and write are not modelled)
COMMANDS = [
    Command("connect [path] <relpath> <hook> <peerhook>",
            "Connects hook <peerhook> of the node at <relpath> to <hook>", _connect),
    Command("help [command]", "Show command summary or get more help on a specific command",
            _help, ("?",)),
    Command("list [-ln]", "Show information about all nodes", _list, ("ls",)),
    Command("mkpeer [path] <type> <hook> <peerhook>",
            "Create and connect a new node to the node at \"path\"", _mkpeer),
    Command("msg path command [args ... ]", "Send a netgraph control message to the node at "
            "\"path\"", _msg, ("cmd",)),
    Command("name <path> <name>", "Assign name <name> to the node at <path>", _name),
    Command("read <filename>", "Read and execute commands from a file", _read, ("source", ".")),
    Command("rmhook [path] <hook>", "Disconnect hook \"hook\" of the node at \"path\"", _rmhook,
            ("disconnect",)),
    Command("show [-n] <path>", "Show information about the node at <path>", _show,
            ("inquire", "info")),
    Command("shutdown <path>", "Shutdown the node at <path>", _shutdown, ("kill", "rmnode")),
    Command("types", "Show information about all installed node types", _types),
    Command("quit", "Exit program", _quit, ("exit",)),
]
