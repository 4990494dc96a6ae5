"""netgraph(4): nodes, hooks and their paths in one vnet's graph, the node
types the jail howtos use (sys/netgraph/ng_base.c, ng_socket.c, ng_ether.c,
ng_bridge.c, ng_eiface.c), and where a frame goes once the graph has it.

Each vnet has a graph of its own (V_ng_ID_hash, V_ng_name_hash), with node
IDs counted from 1 and never reused (V_nextID). A node that stands for an
interface keeps standing for it when the interface moves to another vnet:
ng_eiface's ngethN can be handed to a VNET jail while its node stays in the
graph it was made in, which is how a jail joins an ng_bridge.

Frames are decisions, as in jailkit.sim.network: transmit() and
divert_input() say which stacks and wires a frame reaches through the
graph, each step following the type's rcvdata function."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from weakref import WeakKeyDictionary

from .errno import (EADDRINUSE, EEXIST, EINVAL, EISCONN, ENOENT, ENOSYS, ENOTCONN,
                    EPFNOSUPPORT, OSErr)
from .ifnet import Ifnet

NG_NODESIZ = NG_HOOKSIZ = 32   # sys/netgraph/ng_message.h, with the NUL

# The node types of the sim and the kernel module that declares each
# (NETGRAPH_INIT(type, ...) in ng_TYPE.c; ng_base's ng_make_node loads
# "ng_" TYPE when the type is unknown).
TYPE_MODULES = {"socket": "ng_socket", "ether": "ng_ether", "bridge": "ng_bridge",
                "eiface": "ng_eiface"}

# The command numbers of the control messages the types answer.
GETIFNAME = 1     # NGM_ETHER_GET_IFNAME and NGM_EIFACE_GET_IFNAME (ng_ether.h, ng_eiface.h)
ETHER_GET_PROMISC, ETHER_SET_PROMISC, ETHER_GET_AUTOSRC, ETHER_SET_AUTOSRC = 5, 6, 7, 8
# ng_bridge.h: NGM_BRIDGE_GET_STATS, CLR_STATS, GETCLR_STATS
BRIDGE_STATS = {"getstats": 4, "clrstats": 5, "getclrstats": 6}


class Eiface(Ifnet):
    """ng_eiface's interface ngethN (IFT_ETHER): it runs once up
    (ng_eiface_init) and its link is up while the node's ether hook is
    connected (ng_eiface_newhook / ng_eiface_disconnect)."""

    def _driver_state(self) -> None:
        self.running = self.up


@dataclass(eq=False)
class Hook:
    name: str
    node: "Node"
    peer: "Hook | None" = None


@dataclass(eq=False)
class Node:
    id: int
    type: str
    name: str = ""
    # newest first: ng_add_hook() puts a hook at the head of nd_hooks,
    # which is the order NGM_LISTHOOKS reports them in
    hooks: list[Hook] = field(default_factory=list)
    ifnet: Ifnet | None = None        # ng_ether's and ng_eiface's interface
    promisc: bool = False             # ng_ether: setpromisc
    # ng_ether: setautosrc. Off from ng_ether_attach (its private data is
    # M_ZERO) and left as it is by a reset (ng_ether_shutdown): ng_ether(4)'s
    # "re-enabled" on shutdown is older than the code.
    autosrc: bool = False

    def hook(self, name: str) -> Hook | None:
        return next((h for h in self.hooks if h.name == name), None)

    @property
    def path(self) -> str:
        """The address ng_socket gives a node's messages: its ID, "[%x]:"."""
        return f"[{self.id:x}]:"


@dataclass(frozen=True)
class Delivery:
    """Where the graph hands a frame: ``ifnet``'s own stack ("stack":
    ng_eiface's ether_input, ng_ether's upper hook) or ``ifnet``'s wire
    ("wire": ng_ether's lower hook, the NIC's transmit routine)."""

    ifnet: Ifnet
    kind: str


# The node an interface belongs to (ifp->if_l2com for ng_ether, if_softc
# for ng_eiface), found from the interface a frame meets.
_ether_nodes: "WeakKeyDictionary[Ifnet, Node]" = WeakKeyDictionary()
_eiface_nodes: "WeakKeyDictionary[Ifnet, Node]" = WeakKeyDictionary()


class Netgraph:
    """One vnet's graph. ``make_eiface`` and ``destroy_eiface`` are the
    kernel's: they attach and detach ng_eiface's interface."""

    def __init__(self, make_eiface: Callable[["Node"], Ifnet],
                 destroy_eiface: Callable[[Ifnet], None]) -> None:
        self.nodes: dict[int, Node] = {}
        self.next_id = 1
        self._make_eiface = make_eiface
        self._destroy_eiface = destroy_eiface

    # -- nodes ----------------------------------------------------------------
    def make_node(self, type_name: str) -> Node:
        """ng_make_node_common() and the type's constructor (ng_eiface's
        makes its interface and names the node after it)."""
        node = Node(self.next_id, type_name)
        self.next_id += 1
        self.nodes[node.id] = node
        if type_name == "eiface":
            node.ifnet = self._make_eiface(node)
            _eiface_nodes[node.ifnet] = node
        return node

    def ether_attach(self, ifnet: Ifnet) -> None:
        """ng_ether_attach(): a node named after the interface ('.' and ':'
        made '_', ng_ether_sanitize_ifname), none at all when a node of
        that name exists already (ng_eiface's for its ngethN)."""
        name = ifnet.name.replace(".", "_").replace(":", "_")
        if self.by_name(name) is not None:
            return
        node = self.make_node("ether")
        node.ifnet = ifnet
        _ether_nodes[ifnet] = node
        self.name(node, name)

    def listing(self) -> list[Node]:
        """NGM_LISTNODES: every node, walking the ID hash table, which is
        by ID while IDs stay below the table's size."""
        return [self.nodes[i] for i in sorted(self.nodes)]

    def name(self, node: Node, name: str) -> None:
        """ng_name_node(): no '.' or ':', not an ID's form, not taken."""
        if not name or len(name) >= NG_NODESIZ or "." in name or ":" in name \
                or _decode_id(name) is not None:
            raise OSErr(EINVAL)
        other = self.by_name(name)
        if other is not None and other is not node:
            raise OSErr(EADDRINUSE)
        node.name = name

    def by_name(self, name: str) -> Node | None:
        return next((n for n in self.nodes.values() if n.name == name), None)

    def resolve(self, here: Node, path: str) -> Node:
        """ng_path2noderef(): "NODE:" (a name or [ID]), "NODE:hook.hook",
        a hook path relative to ``here`` ("hook", "." for ``here``);
        ENOENT for a node or hook that is not there."""
        if not path:
            raise OSErr(EINVAL)
        node_part, colon, hooks = path.partition(":") if ":" in path else ("", "", path)
        if colon:
            if ":" in hooks:
                raise OSErr(EINVAL)
            node = self._node_named(node_part)
        else:
            node = here
        for hook_name in [h for h in hooks.split(".") if h]:
            hook = node.hook(hook_name)
            if hook is None or hook.peer is None:
                raise OSErr(ENOENT)
            node = hook.peer.node
        return node

    def _node_named(self, text: str) -> Node:
        number = _decode_id(text)
        node = self.nodes.get(number) if number is not None else self.by_name(text)
        if node is None:
            raise OSErr(ENOENT)
        return node

    # -- hooks ----------------------------------------------------------------
    def mkpeer(self, node: Node, type_name: str, ourhook: str, peerhook: str) -> Node:
        """NGM_MKPEER (ng_mkpeer): a new node of ``type_name`` joined to
        ``node``; nothing is left behind when a hook is refused."""
        peer = self.make_node(type_name)      # the node first, then its hooks
        try:
            _check_hook_name(ourhook)
            _check_hook_name(peerhook)
            if node.hook(ourhook) is not None:
                raise OSErr(EEXIST)
            _newhook(node, ourhook)
            _newhook(peer, peerhook)
        except OSErr:
            self.shutdown(peer)
            raise
        self._link(node, ourhook, peer, peerhook)
        return peer

    def connect(self, node: Node, other: Node, ourhook: str, peerhook: str) -> None:
        """NGM_CONNECT (ng_con_nodes): both hooks new, each accepted by
        its node's type."""
        _check_hook_name(ourhook)
        _check_hook_name(peerhook)
        if node is other and ourhook == peerhook:
            raise OSErr(EEXIST)
        if node.hook(ourhook) is not None or other.hook(peerhook) is not None:
            raise OSErr(EEXIST)
        _newhook(node, ourhook)
        _newhook(other, peerhook)
        self._link(node, ourhook, other, peerhook)

    def _link(self, node: Node, ourhook: str, peer: Node, peerhook: str) -> None:
        ours, theirs = Hook(ourhook, node), Hook(peerhook, peer)
        ours.peer, theirs.peer = theirs, ours
        node.hooks.insert(0, ours)
        peer.hooks.insert(0, theirs)
        for hook in (ours, theirs):
            _connected(hook.node)

    def rmhook(self, hook: Hook) -> None:
        """ng_destroy_hook(): both ends go, each node told (a bridge
        with no hook left shuts itself down)."""
        ends = [hook] + ([hook.peer] if hook.peer is not None else [])
        for end in ends:
            if end in end.node.hooks:
                end.node.hooks.remove(end)
            end.peer = None
        for end in ends:
            self._disconnected(end.node)

    def _disconnected(self, node: Node) -> None:
        if node.id not in self.nodes:
            return
        if node.type == "ether" and not node.hooks:
            _ether_reset(node)       # ng_ether_disconnect: the last hook resets the node
        if node.type == "eiface" and node.ifnet is not None:
            # ng_eiface_disconnect(): the link goes down, the interface stays
            node.ifnet.link_up = False
        if node.type == "bridge" and not node.hooks:
            self.shutdown(node)      # ng_bridge_disconnect: ng_rmnode_self

    # -- shutdown ---------------------------------------------------------------
    def shutdown(self, node: Node) -> None:
        """NGM_SHUTDOWN: the node's hooks go; ng_ether's node is persistent
        and comes back at once (ng_ether_shutdown: NG_NODE_REVIVE unless its
        interface is gone); ng_eiface takes its interface with it."""
        for hook in list(node.hooks):
            self.rmhook(hook)
        if node.type == "ether" and node.ifnet is not None and node.ifnet in _ether_nodes:
            _ether_reset(node)
            return
        self.nodes.pop(node.id, None)
        if node.type == "eiface" and node.ifnet is not None:
            _eiface_nodes.pop(node.ifnet, None)
            self._destroy_eiface(node.ifnet)

    def ether_detach(self, ifnet: Ifnet) -> None:
        """ng_ether_detach(): the interface is going, and its node with it."""
        node = _ether_nodes.get(ifnet)
        if node is not None and self.nodes.get(node.id) is node:
            del _ether_nodes[ifnet]
            self.shutdown(node)

    def destroy(self) -> None:
        """Every node goes, ng_ether's too (its interface leaves this graph)."""
        for node in list(self.nodes.values()):
            if node.type == "ether" and node.ifnet is not None:
                _ether_nodes.pop(node.ifnet, None)
            if self.nodes.get(node.id) is node:
                self.shutdown(node)

    def ether_rename(self, ifnet: Ifnet) -> None:
        """ng_ether_ifnet_arrival_event(): a renamed interface renames its node."""
        node = _ether_nodes.get(ifnet)
        if node is not None:
            try:
                self.name(node, ifnet.name.replace(".", "_").replace(":", "_"))
            except OSErr:
                node.name = ""

    def eiface_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.type == "eiface"]

    # -- control messages ---------------------------------------------------
    def message(self, node: Node, text: str) -> tuple[str, int, str] | None:
        """NgSendAsciiMsg: ``text`` ("getifname", "setpromisc 1") to
        ``node``; the answer as (command, number, ASCII arguments), or None
        for a command that has none. ENOSYS for a command the node's type
        does not know (its ascii2binary finds no such command)."""
        command, _, args = text.strip().partition(" ")
        args = args.strip()
        if command == "getifname" and node.type in ("ether", "eiface") and node.ifnet:
            return command, GETIFNAME, f'"{node.ifnet.name}"'
        if node.type == "ether":
            return self._ether_message(node, command, args)
        if node.type == "bridge" and command in BRIDGE_STATS:
            return _bridge_stats(node, command, args)
        raise OSErr(ENOSYS)

    def _ether_message(self, node: Node, command: str, args: str) -> tuple[str, int, str] | None:
        if command == "getpromisc":
            return command, ETHER_GET_PROMISC, str(int(node.promisc))
        if command == "getautosrc":
            return command, ETHER_GET_AUTOSRC, str(int(node.autosrc))
        if command in ("setpromisc", "setautosrc"):
            if not args.lstrip("-").isdigit():
                raise OSErr(EINVAL)
            on = int(args) != 0
            if command == "setautosrc":
                node.autosrc = on
            elif on != node.promisc and node.ifnet is not None:
                node.promisc = on
                node.ifnet.promisc += 1 if on else -1     # ifpromisc()
            return None
        raise OSErr(ENOSYS)


def _bridge_stats(node: Node, command: str, args: str) -> tuple[str, int, str] | None:
    """ng_bridge_rcvmsg's NGM_BRIDGE_*STATS: the link's counters, by its
    number (negative for an uplink); ENOTCONN for a link the bridge does
    not have. The sim counts no frames: every counter reads zero, which
    ng_parse prints as an empty struct."""
    if not args.lstrip("-").isdigit():
        raise OSErr(EINVAL)
    number = int(args)
    hook = f"uplink{-number}" if number < 0 else f"link{number}"
    if node.hook(hook) is None:
        raise OSErr(ENOTCONN)
    if command == "clrstats":
        return None
    return command, BRIDGE_STATS[command], "{}"


def _ether_reset(node: Node) -> None:
    """ng_ether_shutdown() without NGF_REALLY_DIE: promiscuous mode off
    (ifpromisc(ifp, 0)), the node revived; autosrc stays as it was."""
    if node.promisc and node.ifnet is not None:
        node.ifnet.promisc = max(0, node.ifnet.promisc - 1)
    node.promisc = False


def _decode_id(text: str) -> int | None:
    """ng_decodeidname(): "[hex]" with a non-zero value, else None."""
    if len(text) < 3 or text[0] != "[" or text[-1] != "]":
        return None
    digits = text[1:-1]
    if not all(c in "0123456789abcdefABCDEF" for c in digits):
        return None
    value = int(digits, 16)
    return value or None


def _check_hook_name(name: str) -> None:
    """A hook name fits NG_HOOKSIZ and holds no path separator."""
    if not name or len(name) >= NG_HOOKSIZ or "." in name or ":" in name:
        raise OSErr(EINVAL)


def _newhook(node: Node, name: str) -> None:
    """The type's newhook method: may ``node`` take a hook named ``name``?"""
    if node.type == "ether":
        # ng_ether_newhook(): "divert" is the old name of lower
        wanted = "lower" if name == "divert" else name
        if wanted not in ("upper", "lower", "orphans"):
            raise OSErr(EINVAL)
        if node.hook(wanted) is not None:
            raise OSErr(EISCONN)
    elif node.type == "bridge":
        # ng_bridge_newhook(): "link" or "uplink" and a decimal number
        for prefix in ("link", "uplink"):
            number = name[len(prefix):]
            if name.startswith(prefix) and number.isdigit() and number.isascii() \
                    and (number == "0" or not number.startswith("0")):
                if prefix == "uplink" and number == "0":
                    raise OSErr(EINVAL)
                return
        raise OSErr(EINVAL)
    elif node.type == "eiface":
        if name != "ether":             # ng_eiface_newhook()
            raise OSErr(EPFNOSUPPORT)
        if node.hook(name) is not None:
            raise OSErr(EISCONN)


def _connected(node: Node) -> None:
    if node.type == "eiface" and node.ifnet is not None:
        node.ifnet.link_up = True      # ng_eiface_newhook: LINK_STATE_UP


# -- frames through the graph -----------------------------------------------------
def any_ether_nodes() -> bool:
    """Has any interface an ng_eiface or ng_ether node? While none has, a
    frame's way need not ask the graph at each interface."""
    return bool(_eiface_nodes) or bool(_ether_nodes)


def transmit(ifnet: Ifnet) -> list[Delivery] | None:
    """Where a frame ``ifnet``'s stack sends goes when the graph takes it,
    or None when the interface sends it on its own wire: ng_eiface hands
    everything to its ether hook (ng_eiface_start2), ng_ether takes what
    the stack sends while its upper hook is connected (ng_ether_output)."""
    node = _eiface_nodes.get(ifnet)
    if node is not None:
        return _from_hook(node.hook("ether"))
    node = _ether_nodes.get(ifnet)
    if node is not None and node.hook("upper") is not None:
        return _from_hook(node.hook("upper"))
    return None


def divert_input(ifnet: Ifnet) -> list[Delivery] | None:
    """Where a frame ``ifnet`` receives from its wire goes when its lower
    hook is connected (ng_ether_input: the stack does not see it), or None.
    Without setpromisc the NIC's own filter lets in only what is for its
    own address, so only the host's stack (through upper) gets anything."""
    node = _ether_nodes.get(ifnet)
    if node is None or node.hook("lower") is None:
        return None
    deliveries = _from_hook(node.hook("lower"))
    if ifnet.promisc > 0:          # setpromisc 1, or an if_bridge membership
        return deliveries
    return [d for d in deliveries if d.ifnet is ifnet]


def is_ether(ifnet: Ifnet) -> bool:
    """Has ng_ether a node on ``ifnet``?"""
    return ifnet in _ether_nodes


def _from_hook(hook: Hook | None) -> list[Delivery]:
    """Follow a frame sent out of ``hook`` to every end it reaches: an
    ng_bridge floods it to its other links (ng_bridge_rcvdata, for a
    destination it has not learnt), ng_eiface gives it to its interface's
    stack, ng_ether's lower puts it on the wire and upper on the stack."""
    found: list[Delivery] = []
    seen: set[int] = set()
    queue = [hook] if hook is not None else []
    while queue:
        out = queue.pop(0)
        into = out.peer
        if into is None or id(into) in seen:
            continue
        seen.add(id(into))
        node = into.node
        if node.type == "bridge":
            queue += [h for h in node.hooks if h is not into]
        elif node.type == "eiface" and node.ifnet is not None:
            found.append(Delivery(node.ifnet, "stack"))
        elif node.type == "ether" and node.ifnet is not None:
            kind = "stack" if into.name == "upper" else "wire"
            found.append(Delivery(node.ifnet, kind))
    return found
