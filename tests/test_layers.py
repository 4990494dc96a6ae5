"""The layers of jailkit, read from its imports with ast (nothing is imported).

A module imports only from layers below it (type-only imports under
TYPE_CHECKING count too); inside one layer the imports must not form a cycle.
Besides: no command of the sim imports another, the sim has no function-level
import, jailkit outside the sim uses the sim through its facade only, and every
sim module says in a docstring what part of FreeBSD it models.

KNOWN_VIOLATIONS lists what breaks these rules today. It may only shrink: a
violation not on it fails, and so does an entry that no longer occurs."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "jailkit"
SIM = "jailkit.sim"

# jailkit outside the sim, bottom up. The sim as a whole sits at SIM_LAYER.
OUTER = [
    ["jailkit.getopt", "jailkit.names", "jailkit.jailconf", "jailkit.parsers", "jailkit.parsers.*"],
    ["jailkit.lab", "jailkit.session", "jailkit.host", "jailkit.files", "jailkit.vagrant",
     "jailkit.expect"],
    [SIM + ".*"],
    ["jailkit.hosts", "jailkit.hosts.*", "jailkit.qjail", "jailkit.qjail.*"],
    ["jailkit.vnet_subr", "jailkit.labbuild", "jailkit.cleanup", "jailkit.boxcheck"],
    ["jailkit.terminal", "jailkit.scenario"],
    ["jailkit.pytest_plugin", "jailkit.cli", "jailkit"],
]
SIM_LAYER = 2

# The sim, bottom up (sim/ is flat; sh/ and commands/ are packages).
INNER = [
    ["errno", "words", "icmp", "packet", "regex", "pcap", "octets", "sysexits"],  # leaves
    ["vfs", "devfs", "passwd", "logincap"],                         # storage
    ["ifnet", "vnet", "pfil", "bpf", "libalias", "pf", "ipfw", "ipfilter", "netgraph", "lagg",
     "ifpseudo", "bstp", "linker", "nd6"],                                 # interfaces, firewalls, kld files
    ["kernel", "loader"],                                           # the kernel and its boot loader
    ["network", "socket", "services"],                              # the packet path
    ["proc", "resolver"],                                           # processes, libc
    ["sh.syntax", "sh.arith", "sh.printf", "sh.shell", "sh.builtins", "sh"],  # sh(1)
    ["rcconf", "netif", "rcd", "daemons", "devd"],                  # rc and daemons
    ["commands.*"],                                                 # argv -> kernel -> output
    ["world", "examples", "labnet", "harness", "labhosts"],         # the installed world, the lab
    ["machine", "commands"],                                        # the composition root
    ["", "serve", "session"],                                       # entry points ("": the facade)
]

# What jailkit outside the sim may import from it: the facade, and sh's grammar
# (a parser that imports nothing, used to read a command line as sh would).
FACADE = {SIM, SIM + ".sh.syntax"}
# The one cycle allowed: an interface names its vnet in a type only.
TYPE_ONLY_CYCLES = [{SIM + ".ifnet", SIM + ".vnet"}]

KNOWN_VIOLATIONS: set[str] = set()


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str       # "top", "function" or "type" (under TYPE_CHECKING)


def modules() -> dict[str, Path]:
    """Every module of jailkit by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> list[Edge]:
    """The imports of one module inside jailkit, relative ones resolved; a
    name imported from a package is an edge to its submodule if it is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    edges: list[Edge] = []

    def targets(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
            base = ".".join(anchor + ([node.module] if node.module else []))
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]

    def walk(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = kind
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inner = "type"
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and kind == "top":
                inner = "function"
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                edges.extend(Edge(name, target, inner) for target in targets(child)
                             if target.split(".")[0] == "jailkit" and target != name)
            walk(child, inner)

    walk(ast.parse(path.read_text()), "top")
    return edges


def _matches(name: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        return name.startswith(pattern[:-1])
    return name == pattern


def layer(name: str) -> tuple[int, int] | None:
    """(layer of jailkit, layer inside the sim); None for an unplaced module."""
    if name == SIM or name.startswith(SIM + "."):
        inner = name[len(SIM) + 1:]
        for number, row in enumerate(INNER):
            if any(_matches(inner, pattern) for pattern in row):
                return SIM_LAYER, number
        return None
    for number, row in enumerate(OUTER):
        if any(_matches(name, pattern) for pattern in row):
            return number, 0
    return None


def in_commands(name: str) -> bool:
    return name.startswith(SIM + ".commands.")


def cycles(nodes: set[str], edges: set[tuple[str, str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for source, target in edges:
            if source != node:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def violations() -> set[str]:
    known = modules()
    edges = {edge for name, path in known.items() for edge in imports(name, path, known)}
    found: set[str] = set()
    for name, path in known.items():
        if layer(name) is None:
            found.add(f"no layer: {name}")
        elif name.startswith(SIM) and ast.get_docstring(ast.parse(path.read_text())) is None:
            found.add(f"no docstring: {name}")
    same_layer: set[tuple[str, str]] = set()
    runtime: set[tuple[str, str]] = set()
    for edge in edges:
        source, target = layer(edge.source), layer(edge.target)
        pair = f"{edge.source} -> {edge.target}"
        if source is None or target is None:
            continue
        if target > source:
            found.add(f"upward: {pair}")
        elif target == source:
            same_layer.add((edge.source, edge.target))
        if not edge.source.startswith(SIM) and edge.target.startswith(SIM) and edge.target not in FACADE:
            found.add(f"past the facade: {pair}")
        if in_commands(edge.source) and in_commands(edge.target):
            found.add(f"command imports command: {pair}")
        if edge.kind == "function" and edge.source.startswith(SIM):
            found.add(f"function-level: {pair}")
        if edge.kind != "type":
            runtime.add((edge.source, edge.target))
    for component in cycles(set(known), same_layer):
        if component in TYPE_ONLY_CYCLES and not cycles(component, runtime & same_layer):
            continue
        found.add("cycle: " + ", ".join(sorted(component)))
    return found


def test_no_new_layer_violation():
    new = violations() - KNOWN_VIOLATIONS
    assert not new, "against the layers:\n" + "\n".join(sorted(new))


def test_known_violations_only_shrink():
    gone = KNOWN_VIOLATIONS - violations()
    assert not gone, "fixed, take off KNOWN_VIOLATIONS:\n" + "\n".join(sorted(gone))


# The checker itself, on small made-up packages.
@pytest.fixture
def fake(tmp_path, monkeypatch):
    def write(files: dict[str, str]) -> set[str]:
        for relative, text in files.items():
            path = tmp_path / "jailkit" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        monkeypatch.setitem(globals(), "ROOT", tmp_path)
        monkeypatch.setitem(globals(), "PACKAGE", tmp_path / "jailkit")
        return violations()
    return write


SIM_BASE = {"__init__.py": "", "sim/__init__.py": '"""the facade"""\n'}


def test_an_upward_import_is_found(fake):
    found = fake({**SIM_BASE, "sim/vfs.py": '"""vfs"""\nfrom .kernel import Kernel\n',
                  "sim/kernel.py": '"""kernel"""\n'})
    assert found == {"upward: jailkit.sim.vfs -> jailkit.sim.kernel"}


def test_a_type_only_import_counts(fake):
    found = fake({**SIM_BASE, "sim/errno.py": '"""errno"""\nfrom typing import TYPE_CHECKING\n'
                  'if TYPE_CHECKING:\n    from .proc import Proc\n', "sim/proc.py": '"""proc"""\n'})
    assert found == {"upward: jailkit.sim.errno -> jailkit.sim.proc"}


def test_a_function_level_import_and_a_sibling_command(fake):
    found = fake({**SIM_BASE, "sim/commands/__init__.py": '"""all"""\n',
                  "sim/commands/a.py": '"""a"""\ndef f():\n    from .b import X\n',
                  "sim/commands/b.py": '"""b"""\n'})
    assert found == {"function-level: jailkit.sim.commands.a -> jailkit.sim.commands.b",
                     "command imports command: jailkit.sim.commands.a -> jailkit.sim.commands.b"}


def test_a_cycle_within_a_layer(fake):
    found = fake({**SIM_BASE, "sim/words.py": '"""words"""\nfrom .packet import P\n',
                  "sim/packet.py": '"""packet"""\nfrom . import words\n'})
    assert found == {"cycle: jailkit.sim.packet, jailkit.sim.words"}


def test_ifnet_and_vnet_may_name_each_other_in_types_only(fake):
    typed = 'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .vnet import Vnet\n'
    files = {**SIM_BASE, "sim/vnet.py": '"""vnet"""\nfrom .ifnet import Ifnet\n'}
    assert fake({**files, "sim/ifnet.py": '"""ifnet"""\n' + typed}) == set()
    assert fake({**files, "sim/ifnet.py": '"""ifnet"""\nfrom .vnet import Vnet\n'}) == {
        "cycle: jailkit.sim.ifnet, jailkit.sim.vnet"}


def test_an_unplaced_module_an_undocumented_one_and_the_facade(fake):
    found = fake({**SIM_BASE, "sim/kernel.py": "", "sim/novel.py": '"""?"""\n',
                  "cleanup.py": "from .sim.kernel import Kernel\nfrom .sim import Machine\n"})
    assert found == {"no docstring: jailkit.sim.kernel", "no layer: jailkit.sim.novel",
                     "past the facade: jailkit.cleanup -> jailkit.sim.kernel"}
