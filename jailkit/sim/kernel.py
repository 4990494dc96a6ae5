"""The FreeBSD kernel of the sim: its state and every rule on it, each
operation raising the errno its system call or ioctl would. Interfaces and
their global index (if.c, if_clone.c, if_bridge.c, in6_ifattach.c),
vnets, jails (kern_jail.c), loaded modules (kern_linker.c), the sysctl MIB
(kern_sysctl.c), kenv, processes and a virtual clock.

Determinism: every "random" value (MAC addresses, round-trip times) comes
from one seeded generator, so the same seed replays the same run."""

from __future__ import annotations

import functools
import hashlib
import heapq
import ipaddress
import random
import re
import zlib
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator, TypeVar

from . import pfil
from .errno import (EADDRNOTAVAIL, EAFNOSUPPORT, EBUSY, EEXIST, EINVAL, ENOENT, ENOSPC, ENXIO,
                    EOPNOTSUPP, EPERM, EPROTONOSUPPORT, OSErr)
from .ifnet import (IFF_LOOPBACK, IFF_MULTICAST, ND6_AUTO_LINKLOCAL, ND6_IFDISABLED, ND6_NO_DAD,
                    ND6_PERFORMNUD, Bridge, Epair, Ethernet, Ifnet, Inet6Addr,
                    InetAddr, Loopback, Segment, bridges_in, new_loopback)
from .devfs import Devfs
from .ifpseudo import (EVL_VLID_MASK, GIF_MTU_MIN, Gif, IPAddress, Vlan, new_gif, new_tap, new_vlan,
                       vlans_of)
from .ipfilter import Ipfilter
from .ipfw import Ipfw
from .netgraph import Eiface, Netgraph, Node
from .linker import Linker, LinkerFile
from .lagg import (FAILOVER_RX_ALL, LACP_STRICT, LAGG_MAX_PORTS, ZERO_MAC, Lagg, LaggPort,
                   lagg_of, new_lagg)
from .pf import Pf
from .vfs import Device, Dir, Vfs
from .vnet import Vnet

IFNAMSIZ = 16  # sys/net/if.h: names are at most 15 characters
EPAIR_OPTIONS = 0x8  # VLAN_MTU
JAIL_MAX = 999999
IF_MINMTU, IF_MAXMTU = 72, 65535  # sys/net/if_var.h
KENV_MNAMELEN = 128  # sys/sys/kenv.h
KENV_MVALLEN = 128
# Device nodes a module makes (/dev/pf, IPFilter's /dev/ipl ...).
MODULE_DEVICES = {"pf": ["pf"], "ipl": ["ipl", "ipnat", "ipstate", "ipauth", "iplookup",
                                       "ipsync", "ipscan"]}
# The kernel modules installed in /boot/kernel (NAME.ko), with their sizes.
KLD_FILES = {"if_bridge": 0x9b90, "if_epair": 0x5250, "bridgestp": 0x76e0, "pf": 0x5a4e8,
             "pflog": 0x2610, "ipfw": 0x35df0, "ipfw_nat": 0x31c0, "ipdivert": 0x4ee8,
             "ipl": 0x3b5a8, "libalias": 0x7d50, "nullfs": 0x7500, "if_tuntap": 0x90c8, "mac_ntpd": 0x1018,
             "if_lagg": 0xc2b0}
# The modules a file needs (its MODULE_DEPENDs), which the linker loads
# after it when they are not in yet (if_bridge.c: bridgestp).
MODULE_DEPENDS = {"ipfw_nat": ["ipfw", "libalias"], "pflog": ["pf"], "if_bridge": ["bridgestp"]}
# netgraph(4) and its node types (sys/modules/netgraph): kldload loads
# netgraph.ko first for each of them.
KLD_FILES.update({"netgraph": 0x1c9a8, "ng_socket": 0x6bb0, "ng_ether": 0x5f70,
                  "ng_bridge": 0x7a38, "ng_eiface": 0x4b48})
MODULE_DEPENDS.update({name: ["netgraph"] for name in
                       ("ng_socket", "ng_ether", "ng_bridge", "ng_eiface")})
# The virtual clock starts at this moment (Kernel.clock counts seconds from it).
EPOCH = datetime(2026, 11, 22, 18, 0, 0, tzinfo=timezone.utc)
# Virtual seconds a background job (cmd &) of a login session may run: the
# sim runs it to its end before going on, so one without an end is stopped.
BACKGROUND_LIMIT = 60.0
# Turns a loop of a foreground line without a terminal may take while no
# time passes (`while :; do :; done`) before it counts as past its limit.
SPIN_LIMIT = 100_000
SIGINT_STATUS = 128 + 2    # sh's $? for a process killed by SIGINT
IN6ADDR_LOOPBACK = ipaddress.IPv6Address("::1")
# Duplicate address detection's clock (sys/netinet6/nd6.h, nd6_nbr.c): the
# neighbor solicitations of one DAD are RETRANS_TIMER apart (each
# interface's ND "retrans", 1000 ms unless a router advertises another);
# a callout runs one tick on at the earliest (kern.hz=1000); in6_if_up()
# waits up to MAX_RTR_SOLICITATION_DELAY before DAD starts.
RETRANS_TIMER = 1.0
TICK = 0.001
MAX_RTR_SOLICITATION_DELAY = 1.0
INADDR_LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
AnyIfnet = TypeVar("AnyIfnet", bound=Ifnet)


class DeadlineToken:
    """Names one Kernel.deadline(), so that its caller knows a Deadline as
    its own (an outer deadline's passes through)."""


class Deadline(Exception):
    """A command ran past the virtual-time deadline its caller set."""

    def __init__(self, token: DeadlineToken) -> None:
        super().__init__()
        self.token = token


class Rebooted(Exception):
    """reboot(2) with RB_AUTOBOOT: the machine goes down at once and what
    ran on it ends; the machine (jailkit.sim.machine) boots its disk again.
    ``shutdown``: init ran /etc/rc.shutdown first (shutdown -r signals init;
    reboot(8) does not)."""

    def __init__(self, shutdown: bool) -> None:
        super().__init__()
        self.shutdown = shutdown


class Interrupted(Exception):
    """SIGINT reached the foreground processes while they waited: ^C at the
    terminal, or a session's limit without one. A program that catches SIGINT
    (ping's finish(), tcpdump's cleanup()) catches this and ends as it
    would; any other dies of it, and its shell with it (status 128 + 2)."""


def _eui64_linklocal(mac: str) -> ipaddress.IPv6Address:
    """fe80:: and the interface identifier made from a MAC: ff:fe in the
    middle and the universal/local bit flipped (RFC 4291 appendix A)."""
    octets = [int(x, 16) for x in mac.split(":")]
    octets[0] ^= 0x02
    eui = octets[:3] + [0xFF, 0xFE] + octets[3:]
    groups = [f"{(eui[i] << 8) | eui[i + 1]:x}" for i in range(0, 8, 2)]
    return ipaddress.IPv6Address("fe80::" + ":".join(groups))


def _no_listener(ifnet: Ifnet, event: str, name: str) -> None:
    """No devd(8) listening (before boot, or devd_enable="NO")."""


def _below(prison: Prison, viewer: Prison) -> bool:
    """Is ``prison`` a descendant of ``viewer`` (a jail sees only those)?"""
    parent = prison.parent
    while parent is not None:
        if parent is viewer:
            return True
        parent = parent.parent
    return False


@dataclass(eq=False)
class Dad:
    """One duplicate address detection under way (nd6_nbr.c struct dadq):
    its last neighbor solicitation goes unanswered at ``done`` (virtual
    seconds), and the address stops being tentative."""
    ifnet: Ifnet
    addr: Inet6Addr
    done: float


@dataclass(eq=False)
class Prison:
    """A jail (struct prison). A jail without a vnet of its own shares its
    parent's stack and is restricted to its own addresses: ``ip4_restricted``
    is PR_IP4 (jls's ip4 "new", or "disable" when ``ip4`` is empty; not
    restricted is "inherit"), the same for IPv6. The rules on addresses are
    sys/netinet/in_jail.c's and kern_jail.c's prison_check_af."""
    jid: int
    name: str
    path: str
    hostname: str
    vnet: Vnet
    own_vnet: bool
    parent: "Prison | None"
    persist: bool = False
    ip4: list[ipaddress.IPv4Address] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)  # other parameters, as set
    children_max: int = 0
    ip4_restricted: bool = False
    ip6_restricted: bool = False
    ip6: list[ipaddress.IPv6Address] = field(default_factory=list)
    dying: bool = False     # removed, but still referenced (PRISON_STATE_DYING)

    @property
    def is_host(self) -> bool:
        return self.jid == 0

    # -- in_jail.c -------------------------------------------------------------
    def check_af(self, family: str) -> None:
        """prison_check_af() as socreate() asks it: a jail restricted to no
        address of a family has no socket of it (EAFNOSUPPORT). ``family``
        is "4", "6" or "unix"."""
        if family == "4" and self.ip4_restricted and not self.ip4:
            raise OSErr(EAFNOSUPPORT)
        if family == "6" and self.ip6_restricted and not self.ip6:
            raise OSErr(EAFNOSUPPORT)

    def get_ip4(self) -> ipaddress.IPv4Address | None:
        """prison_get_ip4(): the jail's primary (first) address; None when
        IPv4 is not restricted; EAFNOSUPPORT when it has none."""
        if not self.ip4_restricted:
            return None
        if not self.ip4:
            raise OSErr(EAFNOSUPPORT)
        return self.ip4[0]

    def check_ip4(self, address: ipaddress.IPv4Address) -> None:
        """prison_check_ip4(): EADDRNOTAVAIL unless the address is the
        jail's (any address is, when IPv4 is not restricted)."""
        if self.get_ip4() is not None and address not in self.ip4:
            raise OSErr(EADDRNOTAVAIL)

    def owns_ip4(self, address: ipaddress.IPv4Address) -> bool:
        try:
            self.check_ip4(address)
        except OSErr:
            return False
        return True

    def local_ip4(self, address: ipaddress.IPv4Address | None) -> ipaddress.IPv4Address | None:
        """prison_local_ip4(), for bind(2): INADDR_ANY (None) becomes the
        jail's address when it has exactly one; 127.0.0.1 becomes its
        primary address unless the jail has 127.0.0.1; any other address
        must be the jail's (EADDRNOTAVAIL)."""
        primary = self.get_ip4()
        if primary is None:
            return address
        if address is None:
            return primary if len(self.ip4) == 1 else None
        if address == INADDR_LOOPBACK and not self.owns_ip4(address):
            return primary
        self.check_ip4(address)
        return address

    def local_ip6(self, address: ipaddress.IPv6Address | None) -> ipaddress.IPv6Address | None:
        """prison_local_ip6() for bind(2) of a v6only socket (sshd's,
        syslogd's): :: (None) becomes the jail's address when it has
        exactly one; ::1 its first one unless the jail has ::1; any other
        address must be the jail's (EADDRNOTAVAIL)."""
        if not self.ip6_restricted:
            return address
        if not self.ip6:
            raise OSErr(EAFNOSUPPORT)
        if address is None:
            return self.ip6[0] if len(self.ip6) == 1 else None
        if address not in self.ip6:
            if address != IN6ADDR_LOOPBACK:
                raise OSErr(EADDRNOTAVAIL)
            return self.ip6[0]
        return address

    def remote_ip4(self, address: ipaddress.IPv4Address) -> ipaddress.IPv4Address:
        """prison_remote_ip4(), for connect(2): 127.0.0.1 means the jail's
        primary address unless the jail has 127.0.0.1 itself."""
        primary = self.get_ip4()
        if primary is not None and address == INADDR_LOOPBACK and not self.owns_ip4(address):
            return primary
        return address

    def saddrsel_ip4(self) -> ipaddress.IPv4Address | None:
        """prison_saddrsel_ip4(): the primary address when the jail was made
        with ip4.saddrsel off (ip4.nosaddrsel), else None: source address
        selection runs (among the jail's addresses)."""
        if self.is_host or self.params.get("ip4.saddrsel", "1") not in ("0", "false"):
            return None
        try:
            return self.get_ip4()
        except OSErr:
            return None

    def ip4_root(self) -> "Prison":
        """The prison whose IPv4 restrictions this one has (prison_equal_ip4
        walks up past jails that inherited theirs)."""
        prison = self
        while prison.parent is not None and not prison.own_vnet and prison.params.get("ip4") == "inherit":
            prison = prison.parent
        return prison

    def equal_ip4(self, other: "Prison") -> bool:
        """prison_equal_ip4(): do both have the same IPv4 restrictions?"""
        return self.ip4_root() is other.ip4_root()

    def if_inet(self, ifnet: Ifnet) -> list[InetAddr]:
        """prison_if() as netlink's address dump applies it: the IPv4
        addresses of an interface this prison may see (all of them unless
        it is restricted to its own)."""
        return [a for a in ifnet.inet if self.owns_ip4(a.address)]

    def if_inet6(self, ifnet: Ifnet) -> list[Inet6Addr]:
        """prison_if() for IPv6: a jail restricted to IPv6 addresses sees
        only those, an IPv4-only jail none (not even ::1 on lo0)."""
        if not self.ip6_restricted:
            return list(ifnet.inet6)
        return [a for a in ifnet.inet6 if a.address in self.ip6]

    def sees(self, other: "Prison") -> bool:
        """prison_check(): is ``other`` this prison or one below it (what
        cr_canseeinpcb and p_cansee let a jailed process see)?"""
        prison: Prison | None = other
        while prison is not None:
            if prison is self:
                return True
            prison = prison.parent
        return False


@dataclass(eq=False)
class Process:
    pid: int
    jid: int
    command: str
    user: str = "root"
    sockets: list = field(default_factory=list)  # listening sockets (sockstat)
    # What a signal does to the program (jailkit.sim.proc.kill): its handler,
    # which ends it as the program would (tcpdump's cleanup() on SIGINT);
    # without one the process just goes, as a signal's default action.
    on_signal: Callable[[int], None] | None = None


class ProcessIndex:
    """The oldest process of each (jid, command) in Kernel.processes, for
    a daemon's "is it running?" without a walk over every jail's
    processes. The list only grows at its end (spawn) between most
    questions: the new processes are added; any other change (a process
    gone, the list replaced) is seen from the list and its last known
    process, and the index is made again."""

    def __init__(self) -> None:
        self.source: list[Process] | None = None
        self.count = 0
        self.last: Process | None = None
        self.first: dict[tuple[int, str], Process] = {}

    def find(self, processes: list[Process], jid: int, command: str) -> Process | None:
        if (processes is not self.source or len(processes) < self.count
                or (self.count and processes[self.count - 1] is not self.last)):
            self.source, self.count, self.first = processes, 0, {}
        for process in processes[self.count:]:
            self.first.setdefault((process.jid, process.command), process)
        self.count = len(processes)
        self.last = processes[-1] if processes else None
        return self.first.get((jid, command))


@dataclass(frozen=True)
class Oid:
    """One sysctl MIB variable: how to read it as a jail sees it, and its
    CTLFLAG_* kind (what sysctl(8) learns from oidfmt)."""
    read: Callable[["Kernel", Prison], str]
    vnet: bool = False          # CTLFLAG_VNET: each vnet's own, writable from a VNET jail
    writable: bool = False      # CTLFLAG_WR
    integer: bool = True        # CTLTYPE_INT (else a string)
    tunable: bool = False       # CTLFLAG_RDTUN: set in loader.conf, read-only after
    module: str | None = None   # exists while this kernel module is loaded


class Kernel:
    def __init__(self, *, seed: int, hostname: str, release: str, disk: Dir | None = None) -> None:
        self.rng = random.Random(seed)
        self.hostid = self.rng.getrandbits(32)
        self.hostuuid = "%08x-%04x-%04x-%04x-%012x" % tuple(
            self.rng.getrandbits(bits) for bits in (32, 16, 16, 16, 48))
        self.release = release
        self.clock = 0.0
        self.deadlines: list[tuple[float, DeadlineToken]] = []
        # The line a login session runs in the foreground (jailkit.sim.session):
        # SIGINT reaches it when ^C was typed or at its limit, and at a
        # terminal its virtual time passes at the pace of real time.
        self.foreground = False
        self.sigint = False
        self.sigint_at: float | None = None
        self.pace: Callable[[float], float] | None = None
        self.sigints = 0          # SIGINTs delivered so far
        self.spins = 0            # loop turns of the foreground line
        self.jobs = 0             # background jobs (cmd &) running now, nested
        # devctl(4): interface events ("LINK_UP", "DEPARTURE" with the name
        # it departed under) for devd(8) and dhclient(8) to react to.
        self.on_ifnet_event: Callable[[Ifnet, str, str], None] = _no_listener
        self.vfs = Vfs(disk)
        self.host_vnet = Vnet("host")
        self.prison0 = Prison(0, "0", "/", hostname, self.host_vnet, True, None,
                              persist=True, children_max=JAIL_MAX)
        self.prisons: dict[int, Prison] = {}
        # the same jails by name (a name is unique under one parent only):
        # find_prison looks a name up without a walk over every jail
        self.prisons_named: dict[str, dict[int, Prison]] = {}
        self.last_jid = 0
        # removed jails whose vnet something still holds (_vnet_release)
        self.dying_prisons: list[Prison] = []
        self.ifindex: dict[int, Ifnet] = {}
        # ifindex_alloc's answer without a walk: the indexes freed below
        # the highest one handed out (a heap), and the next one above it
        self.free_ifindexes: list[int] = []
        self.next_ifindex = 1
        self.processes: list[Process] = []
        self.process_index = ProcessIndex()     # daemons.running()
        self.next_pid = 1000
        self.epair_next_index = 0
        # kern_linker.c: the loaded files, with their ids and references
        self.linker = Linker()
        self.devfs = Devfs([])
        # The kernel environment (kenv(2)): what the loader set, in its
        # order; kenv(1) adds to it at run time.
        self.kenv: dict[str, str] = {}
        # ipfw's default rule, fetched from kenv when the module loads
        # (TUNABLE net.inet.ip.fw.default_to_accept, CTLFLAG_RDTUN in ip_fw2.c).
        self.ipfw_default_to_accept = False
        # netgraph(4): each vnet's graph, made when netgraph.ko is in
        self.netgraphs: dict[Vnet, Netgraph] = {}
        # IPv6 duplicate address detection under way (nd6_nbr.c V_dadq)
        self.dads: list[Dad] = []
        # rt_numfibs: the routing tables (the net.fibs tunable, 1 by default)
        self.numfibs = 1

    # -- interface index ----------------------------------------------------
    def _alloc_index(self) -> int:
        # The lowest free slot (sys/net/if.c ifindex_alloc). The index is
        # global and an interface keeps it when it moves to another vnet:
        # on FreeBSD 14 a jail's lo0 takes an index of its own, which is why
        # bridge member port numbers grow by three per VNET jail.
        # The kernel keeps its free slots in a bitmap; here the freed ones
        # are a heap, and any slot taken meanwhile (a lab machine's own
        # interfaces keep their indexes) is passed over.
        free = self.free_ifindexes
        while free:
            index = heapq.heappop(free)
            if index not in self.ifindex:
                return index
        while self.next_ifindex in self.ifindex:
            self.next_ifindex += 1
        self.next_ifindex += 1
        return self.next_ifindex - 1

    def _attach(self, ifnet: AnyIfnet, unit: int | None = None) -> AnyIfnet:
        ifnet.index = self._alloc_index()
        self.ifindex[ifnet.index] = ifnet
        ifnet.vnet.ifnets.append(ifnet)
        ifnet.vnet.added(ifnet)
        if unit is not None:
            ifnet.vnet.alloc_unit(ifnet.dname, unit)
        self._ng_ether_attach(ifnet)
        return ifnet

    def _detach(self, ifnet: Ifnet) -> None:
        for graph in self.netgraphs.values():
            graph.ether_detach(ifnet)        # ether_ifdetach(): ng_ether_detach
        self._pseudo_departure(ifnet, destroyed=True)
        self._leave_bridge(ifnet)
        if isinstance(ifnet, Bridge):
            for member in list(ifnet.members):
                self._leave_bridge(member.ifnet)
        ifnet.vnet.purge(ifnet)
        ifnet.vnet.ifnets.remove(ifnet)
        del self.ifindex[ifnet.index]
        heapq.heappush(self.free_ifindexes, ifnet.index)

    @staticmethod
    def _leave_bridge(ifnet: Ifnet) -> None:
        for other in bridges_in(ifnet.vnet):     # bridge_ifdetach(): a span port goes too
            other.drop_span(ifnet)
        bridge = ifnet.bridge
        if bridge is None:
            return
        bridge.forget(ifnet)
        ifnet.bridge = None
        ifnet.promisc -= 1
        bridge.link_check()

    # -- MAC addresses --------------------------------------------------------
    def _epair_mac(self) -> str:
        # sys/net/if_epair.c epair_generate_mac(): 02, a 32-bit hash of the
        # hostid and a growing index, then 0a (the b end copies it with 0b).
        self.epair_next_index += 1
        digest = hashlib.sha1(f"{self.hostid}:{self.epair_next_index}".encode()).digest()
        return "02:" + ":".join(f"{b:02x}" for b in digest[:4]) + ":0a"

    def gen_mac(self, vnet: Vnet, name: str) -> str:
        # sys/net/if_ethersubr.c ether_gen_addr(): the FreeBSD Foundation OUI
        # 58:9c:fc and three bytes of a SHA-1 over the host UUID, the jail and
        # the name, so that bridge0 of two jails differ (if_bridge_test
        # mac_conflict).
        digest = hashlib.sha1(f"{self.hostuuid}{vnet.name}{name}".encode()).digest()
        return "58:9c:fc:" + ":".join(f"{b:02x}" for b in digest[:3])

    # -- cloning ------------------------------------------------------------
    def clone_create(self, vnet: Vnet, spec: str) -> Ifnet:
        """SIOCIFCREATE2 for ``spec`` ("epair", "bridge5", "lo" ...); returns the
        new interface (for an epair, the a end)."""
        match = re.fullmatch(r"(epair|bridge|lo)(\d*)", spec)
        if not match:
            raise OSErr(EINVAL)
        cloner, digits = match.group(1), match.group(2)
        wanted = int(digits) if digits else None
        if wanted is not None and vnet.ifunit(spec if cloner != "epair" else f"{spec}a"):
            raise OSErr(EEXIST)
        driver = {"epair": "if_epair", "bridge": "if_bridge"}.get(cloner)
        if driver is not None and driver not in self.modules:
            self.load_module(driver)    # ifconfig's ifmaybeload() kldloads the driver
        unit = vnet.alloc_unit(cloner, wanted)
        if cloner == "epair":
            return self._create_epair(vnet, unit)
        if cloner == "bridge":
            name = f"bridge{unit}"
            return self._attach(Bridge(name, "bridge", unit, self.gen_mac(vnet, name), vnet, vnet,
                                       nd6=ND6_PERFORMNUD | ND6_IFDISABLED, groups=["bridge"]))
        return self._attach(new_loopback(vnet, unit))

    def _create_epair(self, vnet: Vnet, unit: int) -> Epair:
        mac = self._epair_mac()
        ends = []
        for suffix, end_mac in (("a", mac), ("b", mac[:-2] + "0b")):
            end = Epair(f"epair{unit}{suffix}", "epair", unit, end_mac, vnet, vnet,
                        options=EPAIR_OPTIONS, groups=["epair"], running=True, link_up=True,
                        media="Ethernet 10Gbase-T (10Gbase-T <full-duplex>)")
            ends.append(self._attach(end))
        ends[0].peer, ends[1].peer = ends[1], ends[0]
        for end in ends:   # epair_clone_create: both links come up at once
            self.on_ifnet_event(end, "LINK_UP", end.name)
        return ends[0]

    def clone_destroy(self, ifnet: Ifnet) -> None:
        """SIOCIFDESTROY. Destroying either end of an epair destroys both,
        wherever the other end lives."""
        if not ifnet.cloned or (isinstance(ifnet, Loopback) and ifnet.dunit == 0):
            raise OSErr(EINVAL)
        victims = [ifnet, ifnet.peer] if isinstance(ifnet, Epair) else [ifnet]
        for victim in victims:
            self._detach(victim)
            self.on_ifnet_event(victim, "DEPARTURE", victim.name)
        ifnet.home.free_unit(ifnet.dname, ifnet.dunit)

    def rename(self, ifnet: Ifnet, name: str) -> None:
        if len(name) >= IFNAMSIZ or not name:
            raise OSErr(EINVAL)
        if ifnet.vnet.ifunit(name):
            raise OSErr(EEXIST)
        old = ifnet.name
        ifnet.name = name
        ifnet.vnet.renamed(ifnet, old)
        # if_rename announces the old name's departure (RTM_IFANNOUNCE)
        self.on_ifnet_event(ifnet, "DEPARTURE", old)
        for graph in self.netgraphs.values():
            graph.ether_rename(ifnet)        # ng_ether_ifnet_arrival_event

    def add_physical(self, vnet: Vnet, name: str, mac: str, *, media: str, baudrate: int,
                     options: int, segment: Segment | None) -> Ethernet:
        match = re.fullmatch(r"([a-z]+)(\d+)", name)
        dname, unit = (match.group(1), int(match.group(2))) if match else (name, 0)
        nic = Ethernet(name, dname, unit, mac, vnet, vnet, media=f"Ethernet {media}",
                       baudrate=baudrate, options=options, segment=segment)
        if segment is not None:
            segment.ports.append(nic)
        return self._attach(nic)

    # -- bridges ------------------------------------------------------------
    def bridge_add(self, bridge: Bridge, member: Ifnet) -> None:
        """if_bridge.c bridge_ioctl_add: the first member gives the bridge
        its MTU; a later one is set to the bridge's through its driver, and
        is refused (EINVAL) when the driver will not take it."""
        self._bridge_refuses_lagg_port(member)
        if member is bridge or member.vnet is not bridge.vnet:
            raise OSErr(EINVAL)
        if member.bridge is bridge:
            raise OSErr(EEXIST)
        if member.bridge is not None:
            raise OSErr(EBUSY)
        if not bridge.members:
            bridge.mtu = member.mtu
        elif member.mtu != bridge.mtu:
            try:
                self._driver_mtu(member, bridge.mtu)
            except OSErr:
                raise OSErr(EINVAL) from None
        bridge.add(member)
        member.bridge = bridge
        member.promisc += 1
        bridge.link_check()

    # -- MTU ------------------------------------------------------------------
    def set_mtu(self, ifnet: Ifnet, mtu: int) -> None:
        """SIOCSIFMTU (if.c ifhwioctl): within IF_MINMTU..IF_MAXMTU, never on
        a bridge member (EOPNOTSUPP: the bridge sets its members' MTU), then
        the driver's own limit; a bridge sets all its members'."""
        if not IF_MINMTU <= mtu <= IF_MAXMTU:
            raise OSErr(EINVAL)
        if ifnet.bridge is not None:
            raise OSErr(EOPNOTSUPP)
        if isinstance(ifnet, Bridge):
            self._bridge_mtu(ifnet, mtu)
        else:
            self._driver_mtu(ifnet, mtu)

    def _bridge_mtu(self, bridge: Bridge, mtu: int) -> None:
        """if_bridge.c bridge_ioctl SIOCSIFMTU: each member through its
        driver; when one refuses, every member gets the old MTU back and the
        bridge keeps its own (EINVAL)."""
        try:
            self._members_mtu([m.ifnet for m in bridge.members], mtu, bridge.mtu)
        except OSErr:
            raise OSErr(EINVAL) from None
        bridge.mtu = mtu

    def _members_mtu(self, members: list[Ifnet], mtu: int, old: int) -> None:
        """A bridge's or a lagg's members, each through its driver; when one
        refuses, every one is set back to the old MTU and the error stands."""
        try:
            for member in members:
                self._driver_mtu(member, mtu)
        except OSErr:
            for member in members:
                with suppress(OSErr):
                    self._driver_mtu(member, old)
            raise

    @staticmethod
    def _driver_mtu(ifnet: Ifnet, mtu: int) -> None:
        """The driver's SIOCSIFMTU: up to what the hardware (or the cloner)
        takes."""
        if mtu > ifnet.max_mtu:
            raise OSErr(EINVAL)
        ifnet.mtu = mtu

    # -- flags and addresses ----------------------------------------------------
    def if_up(self, ifnet: Ifnet) -> None:
        """SIOCSIFFLAGS setting IFF_UP: if.c if_up() only when the interface
        was down; the driver starts and in6_if_up() gives it its IPv6
        addresses (in6_ifattach)."""
        if ifnet.up:
            return
        ifnet.set_up(True)
        self._in6_if_up_dad(ifnet)
        self._in6_ifattach(ifnet)
        if ifnet.bridge is not None:
            ifnet.bridge.link_check()
        if isinstance(ifnet, Bridge):
            ifnet.start_timer(self.clock)     # bridge_init(): bridge_timer starts

    def if_down(self, ifnet: Ifnet) -> None:
        ifnet.set_up(False)
        if ifnet.bridge is not None:
            ifnet.bridge.link_check()

    def _in6_ifattach(self, ifnet: Ifnet) -> None:
        """in6_ifattach.c in6_ifattach(): a multicast-capable loopback gets
        ::1 unless its vnet has it (in6_ifattach_loopback); then, with
        AUTO_LINKLOCAL and without IFDISABLED, an interface without a
        link-local address gets one: fe80::1 on a loopback, else the EUI-64
        of its MAC (in6_ifattach_linklocal, get_ifid), which goes through
        DAD like any new address, after in6_update_ifa's random delay
        (IN6_IFAUPDATE_DADDELAY)."""
        if not ifnet.flags & IFF_MULTICAST:
            return
        if isinstance(ifnet, Loopback) and not any(
                a.address == IN6ADDR_LOOPBACK for i in ifnet.vnet.ifnets for a in i.inet6):
            ifnet.inet6.append(Inet6Addr(IN6ADDR_LOOPBACK, 128))
        if not ifnet.nd6 & ND6_AUTO_LINKLOCAL or ifnet.nd6 & ND6_IFDISABLED:
            return
        if any(a.scoped for a in ifnet.inet6):
            return
        if isinstance(ifnet, Loopback):
            ifnet.inet6.append(Inet6Addr(ipaddress.IPv6Address("fe80::1"), 64, scoped=True))
        elif ifnet.mac:
            linklocal = Inet6Addr(_eui64_linklocal(ifnet.mac), 64, scoped=True,
                                  tentative=self._in6if_do_dad(ifnet))
            ifnet.inet6.append(linklocal)
            if linklocal.tentative:
                self.nd6_dad_start(ifnet, linklocal, self._dad_delay(ifnet, linklocal))

    def set_nd6(self, ifnet: Ifnet, *, on: int = 0, off: int = 0) -> None:
        """SIOCSIFINFO_FLAGS (nd6.c nd6_ioctl): clearing IFDISABLED on an up
        interface runs in6_if_up(); setting it takes the link-local address
        away (FreeBSD marks it tentative, which the sim shows as gone)."""
        enabled = ifnet.nd6 & ND6_IFDISABLED and off & ND6_IFDISABLED
        ifnet.nd6 = (ifnet.nd6 | on) & ~off
        if on & ND6_IFDISABLED:
            ifnet.inet6 = [a for a in ifnet.inet6 if not a.scoped]
            # nd6_ioctl's ifdisabled 0->1: every address tentative again
            for addr in ifnet.inet6:
                addr.tentative = addr.tentative or ifnet.vnet.sysctl["net.inet6.ip6.dad_count"] > 0
        if enabled and ifnet.up:
            self._in6_if_up_dad(ifnet)
            self._in6_ifattach(ifnet)

    def add_inet(self, ifnet: Ifnet, iface: ipaddress.IPv4Interface,
                 broadcast: ipaddress.IPv4Address | None, *, alias: bool) -> None:
        """SIOCAIFADDR (in.c in_aifaddr_ioctl): the address, replacing the
        first one unless ``alias``; the driver's SIOCSIFADDR (ether_ioctl,
        loioctl) then brings a down interface up."""
        ifnet.vnet.add_inet(ifnet, iface, broadcast, replace_first=not alias)
        self.if_up(ifnet)

    def add_inet6(self, ifnet: Ifnet, address: ipaddress.IPv6Address, prefixlen: int) -> None:
        """SIOCAIFADDR_IN6 (in6.c in6_update_ifa): the address (a link-local
        one is scoped to the interface). A new one is tentative when the
        interface does DAD (in6if_do_dad), and DAD starts at once (an
        address given by hand has no delay, unlike in6_ifattach's
        link-local one). An
        address the interface has already only gets the new prefix length.
        A down interface comes up (the driver's SIOCSIFADDR). On an
        IPv6-disabled interface the address needs no DAD, and in6_control
        then clears IFDISABLED (nd6_ioctl: in6_if_up, the link-local
        address)."""
        existing = next((a for a in ifnet.inet6 if a.address == address), None)
        if existing is not None:
            existing.prefixlen = prefixlen
            return
        new = Inet6Addr(address, prefixlen, scoped=address.is_link_local,
                        tentative=self._in6if_do_dad(ifnet))
        ifnet.inet6.append(new)
        if not ifnet.up:
            ifnet.set_up(True)
        if new.tentative:
            self.nd6_dad_start(ifnet, new)
        if ifnet.nd6 & ND6_IFDISABLED:
            self.set_nd6(ifnet, off=ND6_IFDISABLED)

    def delete_inet6(self, ifnet: Ifnet, address: ipaddress.IPv6Address) -> None:
        """SIOCDIFADDR_IN6; EADDRNOTAVAIL when the interface has no such
        address. Its DAD stops (in6_purgeaddr, nd6_dad_stop)."""
        kept = [a for a in ifnet.inet6 if a.address != address]
        if len(kept) == len(ifnet.inet6):
            raise OSErr(EADDRNOTAVAIL)
        ifnet.inet6 = kept
        self.dads = [d for d in self.dads if d.ifnet is not ifnet or d.addr.address != address]

    # -- IPv6 duplicate address detection (nd6_nbr.c) ---------------------------
    @staticmethod
    def _in6if_do_dad(ifnet: Ifnet) -> bool:
        """in6.c in6if_do_dad(): not on a loopback, nor on an interface
        that is not multicast-capable, IPv6-disabled or marked no_dad."""
        if ifnet.flags & IFF_LOOPBACK or not ifnet.flags & IFF_MULTICAST:
            return False
        return not ifnet.nd6 & (ND6_IFDISABLED | ND6_NO_DAD)

    def nd6_dad_start(self, ifnet: Ifnet, addr: Inet6Addr, delay: float = 0.0) -> None:
        """nd6_dad_start(): with net.inet6.ip6.dad_count 0 (the vnet's, read
        now) or no_dad on the interface the address is usable at once;
        on an interface that is not up and running, or IPv6-disabled, it
        stays tentative until in6_if_up(); else dad_count solicitations
        go out RETRANS_TIMER apart, after ``delay``, and the address is
        usable when the last one is unanswered."""
        count = ifnet.vnet.sysctl["net.inet6.ip6.dad_count"]
        if count == 0 or ifnet.nd6 & ND6_NO_DAD:
            addr.tentative = False
            return
        if not (ifnet.up and ifnet.running) or ifnet.nd6 & ND6_IFDISABLED:
            return
        if any(d.addr is addr for d in self.dads):
            return                                   # already under way
        self.dads.append(Dad(ifnet, addr, self.clock + max(delay, TICK)
                             + max(count, 0) * RETRANS_TIMER))

    def _nd6_dad_timer(self) -> None:
        """nd6_dad_timer() for each DAD whose time has come: no other node
        answered (the sim's segments have no duplicates), so the address is
        no longer tentative, unless IPv6 was disabled on the interface
        meanwhile, which cancels the DAD."""
        for dad in [d for d in self.dads if d.done <= self.clock]:
            self.dads.remove(dad)
            if not dad.ifnet.nd6 & ND6_IFDISABLED:
                dad.addr.tentative = False

    def _in6_if_up_dad(self, ifnet: Ifnet) -> None:
        """in6_if_up(): DAD for each tentative address, after a delay of up
        to MAX_RTR_SOLICITATION_DELAY."""
        for addr in ifnet.inet6:
            if addr.tentative:
                self.nd6_dad_start(ifnet, addr, self._dad_delay(ifnet, addr))

    @staticmethod
    def _dad_delay(ifnet: Ifnet, addr: Inet6Addr) -> float:
        """A delay below MAX_RTR_SOLICITATION_DELAY, in ticks: arc4random()
        in the kernel, a hash of the interface and the address here, so
        that a run repeats."""
        draw = zlib.crc32(f"{ifnet.name} {addr.address}".encode())
        return draw % int(MAX_RTR_SOLICITATION_DELAY / TICK) * TICK

    def bridge_delete(self, bridge: Bridge, member: Ifnet) -> None:
        if member.bridge is not bridge:
            raise OSErr(ENXIO)
        self._leave_bridge(member)

    # -- lagg(4), vlan(4), gif(4), tap(4) -----------------------------------------
    def if_clone_create(self, vnet: Vnet, spec: str, vlan: tuple[str, int] | None = None) -> Ifnet:
        """SIOCIFCREATE2 with the cloners of lagg, vlan (vlanN and the
        PARENT.TAG names: vlan_clone_match_ethervid), gif and tap besides
        clone_create's; ``vlan`` is the vlan's (parent, tag) when ifconfig
        gave them (struct vlanreq). A cloner whose module is not loaded
        does not exist (EINVAL): ifconfig loads if_lagg itself."""
        match = re.fullmatch(r"(lagg|vlan|gif|tap)(\d*)", spec)
        dotted = re.fullmatch(r"(.+)\.(\d+)", spec)
        if match is None and (dotted is None or vnet.ifunit(dotted.group(1)) is None):
            return self.clone_create(vnet, spec)
        if match is not None and match.group(1) == "lagg" and "if_lagg" not in self.modules:
            raise OSErr(EINVAL)
        if vnet.ifunit(spec):
            raise OSErr(EEXIST)
        if match is None:
            assert dotted is not None
            return self._vlan_create(vnet, spec, None, (dotted.group(1), int(dotted.group(2))))
        cloner, digits = match.group(1), match.group(2)
        wanted = int(digits) if digits else None
        if cloner == "vlan":
            return self._vlan_create(vnet, None, wanted, vlan)
        unit = vnet.alloc_unit(cloner, wanted)
        if cloner == "lagg":
            return self._attach(new_lagg(vnet, unit))
        if cloner == "gif":
            return self._attach(new_gif(vnet, unit))
        return self._attach(new_tap(vnet, unit, self.gen_mac(vnet, f"tap{unit}")))

    def _vlan_create(self, vnet: Vnet, name: str | None, wanted: int | None,
                     vlan: tuple[str, int] | None) -> Vlan:
        """vlan_clone_create(): the parent must exist (ENXIO) and take the
        tag (vlan_config's checks) before anything is made."""
        parent = None
        if vlan is not None:
            parent = vnet.ifunit(vlan[0])
            if parent is None:
                raise OSErr(ENXIO)
            self._vlan_check(None, parent, vlan[1])
        unit = None if name is not None else vnet.alloc_unit("vlan", wanted)
        ifnet = self._attach(new_vlan(vnet, name or f"vlan{unit}", unit))
        if parent is not None and vlan is not None:
            self._vlan_config(ifnet, parent, vlan[1])
        return ifnet

    @staticmethod
    def _vlan_check(vlan: Vlan | None, parent: Ifnet, tag: int) -> None:
        """vlan_config()'s refusals: a tag beyond 12 bits (EINVAL), a
        parent that is not an Ethernet or a vlan (EPROTONOSUPPORT), another
        parent than the vlan's (EBUSY), a tag the parent has (EEXIST)."""
        if tag & ~EVL_VLID_MASK:
            raise OSErr(EINVAL)
        if isinstance(parent, (Loopback, Bridge, Gif)) or parent.mac is None:
            raise OSErr(EPROTONOSUPPORT)
        if vlan is not None and vlan.parent is not None and vlan.parent is not parent:
            raise OSErr(EBUSY)
        if any(other is not vlan and other.tag == tag for other in vlans_of(parent)):
            raise OSErr(EEXIST)

    @staticmethod
    def _vlan_config(vlan: Vlan, parent: Ifnet, tag: int) -> None:
        """vlan_config(): the parent's MAC, its MTU less the encapsulation
        unless the parent has VLAN_MTU, and the vlan runs."""
        vlan.parent, vlan.tag = parent, tag
        vlan.mac = parent.mac
        vlan.mtu = parent.mtu - vlan.mtu_fudge
        vlan.running = True

    def vlan_set(self, vlan: Vlan, parent_name: str, tag: int) -> None:
        """SIOCSETVLAN: an empty parent unconfigures the vlan; otherwise
        the parent must exist (ENOENT) and take the tag."""
        if not parent_name:
            self.vlan_unconfig(vlan)
            return
        parent = vlan.vnet.ifunit(parent_name)
        if parent is None:
            raise OSErr(ENOENT)
        self._vlan_check(vlan, parent, tag)
        self._vlan_config(vlan, parent, tag)

    @staticmethod
    def vlan_setproto(vlan: Vlan, proto: str) -> None:
        """SIOCSETVLAN with the vlan's parent and tag and another protocol
        (802.1q or 802.1ad)."""
        vlan.proto = proto

    @staticmethod
    def vlan_unconfig(vlan: Vlan) -> None:
        """vlan_unconfig(): no parent, stopped, the link down."""
        vlan.parent, vlan.tag = None, 0
        vlan.running = False

    @staticmethod
    def gif_set_tunnel(gif: Gif, source: IPAddress, destination: IPAddress) -> None:
        """SIOCSIFPHYADDR (gif_set_tunnel): the gif runs with its link up."""
        gif.tunnel = (source, destination)
        gif.running = True

    @staticmethod
    def gif_delete_tunnel(gif: Gif) -> None:
        """SIOCDIFPHYADDR (gif_delete_tunnel)."""
        gif.tunnel = None
        gif.running = False

    def lagg_addport(self, lagg: Lagg, ifnet: Ifnet) -> None:
        """SIOCSLAGGPORT (lagg_ioctl, lagg_port_create). The port loses its
        IPv6 addresses (a link-local scope zone may not be merged); the
        first port gives the lagg its MTU and MAC and is the primary; a
        later one is set to the lagg's MTU through its driver and takes the
        lagg's MAC. Ports are kept in interface index order. Nothing
        changes when the port is refused."""
        self._lagg_check_port(lagg, ifnet)
        if lagg.ports and ifnet.mtu != lagg.mtu:
            self._driver_mtu(ifnet, lagg.mtu)
        if any(a.scoped for a in ifnet.inet6):
            ifnet.inet6 = []         # in6_ifdetach(), when it has a link-local address
        port = LaggPort(ifnet, ifnet.mac)
        if not lagg.ports:
            lagg.mtu, lagg.mac, lagg.primary = ifnet.mtu, ifnet.mac, port
        else:
            ifnet.mac = lagg.mac
        lagg.ports.append(port)
        lagg.ports.sort(key=lambda p: p.ifnet.index)
        self._lagg_capabilities(lagg)

    def _lagg_check_port(self, lagg: Lagg, ifnet: Ifnet) -> None:
        """lagg_port_create()'s refusals, in its order."""
        if ifnet is lagg:
            raise OSErr(EINVAL)      # "cannot add a lagg to itself as a port"
        if len(lagg.ports) >= LAGG_MAX_PORTS:
            raise OSErr(ENOSPC)
        owner = lagg_of(ifnet)
        if owner is not None:
            raise OSErr(EEXIST if owner is lagg else EBUSY)
        if isinstance(ifnet, (Loopback, Bridge, Gif)) or ifnet.mac is None:
            raise OSErr(EPROTONOSUPPORT)   # not IFT_ETHER nor IFT_L2VLAN
        if isinstance(ifnet, Lagg):
            raise OSErr(EINVAL)      # a stacked lagg is refused
        if lagg.ports and ifnet.mtu != lagg.mtu and lagg.mtu > ifnet.max_mtu:
            raise OSErr(EINVAL)      # the driver refuses the lagg's MTU

    def lagg_delport(self, lagg: Lagg, ifnet: Ifnet) -> None:
        """SIOCSLAGGDELPORT: ENOENT when ``ifnet`` is not a port of this lagg."""
        port = lagg.port(ifnet)
        if port is None:
            raise OSErr(ENOENT)
        self._lagg_port_destroy(lagg, port, detaching=False)

    def _lagg_port_destroy(self, lagg: Lagg, port: LaggPort, *, detaching: bool) -> None:
        """lagg_port_destroy(): when the primary goes, the next port is the
        primary and its own MAC becomes the lagg's and every port's (zero
        without ports). The port gets its own MAC back unless it is
        detaching (destroyed, or moved to another vnet: lp_detaching)."""
        lagg.ports.remove(port)
        if port is lagg.primary:
            lagg.primary = lagg.ports[0] if lagg.ports else None
            lladdr = lagg.primary.lladdr if lagg.primary is not None else ZERO_MAC
            lagg.mac = lladdr
            for other in lagg.ports:
                other.ifnet.mac = lladdr
        if not detaching:
            port.ifnet.mac = port.lladdr
        self._lagg_capabilities(lagg)

    @staticmethod
    def _lagg_capabilities(lagg: Lagg) -> None:
        """lagg_capabilities(): what every port has."""
        options = ~0
        for port in lagg.ports:
            options &= port.ifnet.options
        lagg.options = options if lagg.ports else 0

    def lagg_setproto(self, lagg: Lagg, proto: str) -> None:
        """SIOCSLAGG: detach the protocol, attach the new one. LACP takes
        its strict mode from net.link.lagg.lacp.default_strict_mode
        (lacp_attach)."""
        lagg.proto = proto
        if proto == "lacp":
            lagg.lacp_strict = bool(lagg.vnet.sysctl.get(LACP_STRICT, 1))

    @staticmethod
    def lagg_sethash(lagg: Lagg, layers: tuple[str, ...]) -> None:
        """SIOCSLAGGHASH: EINVAL without a layer."""
        if not layers:
            raise OSErr(EINVAL)
        lagg.hash = layers

    def if_setfib(self, ifnet: Ifnet, fib: int) -> None:
        """SIOCSIFFIB (if.c ifhwioctl): a FIB that exists (below net.fibs)."""
        if fib >= self.numfibs:
            raise OSErr(EINVAL)
        ifnet.fib = fib

    def if_settunnelfib(self, ifnet: Ifnet, fib: int) -> None:
        """SIOCSTUNFIB: a tunnel's driver takes it (gif_ioctl), within
        net.fibs; any other driver refuses the ioctl (EINVAL)."""
        if not isinstance(ifnet, Gif) or fib >= self.numfibs:
            raise OSErr(EINVAL)
        ifnet.tunnel_fib = fib

    def if_setmtu(self, ifnet: Ifnet, mtu: int) -> None:
        """SIOCSIFMTU where lagg, vlan and gif have their own rules: a
        lagg port refuses it (lagg_port_ioctl: EINVAL); a lagg sets every
        port's through its driver, putting back the old MTU when one
        refuses; gif takes 1280 to 8192 (gif_ioctl); the rest as set_mtu."""
        if not IF_MINMTU <= mtu <= IF_MAXMTU:
            raise OSErr(EINVAL)
        if lagg_of(ifnet) is not None:
            raise OSErr(EINVAL)
        if isinstance(ifnet, Gif) and mtu < GIF_MTU_MIN:
            raise OSErr(EINVAL)
        if not isinstance(ifnet, Lagg):
            self.set_mtu(ifnet, mtu)
            return
        self._members_mtu([port.ifnet for port in ifnet.ports], mtu, ifnet.mtu)
        ifnet.mtu = mtu

    def _cloner_unloaded(self, module: str) -> None:
        """if_lagg's MOD_UNLOAD detaches its cloner in every vnet
        (vnet_lagg_uninit, if_clone_detach), destroying every lagg."""
        if module != "if_lagg":
            return
        for vnet in self.vnets():
            for lagg in [i for i in vnet.ifnets if isinstance(i, Lagg)]:
                self.clone_destroy(lagg)

    @staticmethod
    def _bridge_refuses_lagg_port(member: Ifnet) -> None:
        """bridge_ioctl_add() takes Ethernet, vlan and gif interfaces only:
        a lagg port's type is IFT_IEEE8023ADLAG (EINVAL)."""
        if lagg_of(member) is not None:
            raise OSErr(EINVAL)

    def _pseudo_departure(self, ifnet: Ifnet, *, destroyed: bool) -> None:
        """The ifnet_departure_event handlers of lagg and vlan: a port that
        leaves (destroyed or moved away) leaves its lagg (lagg_port_ifdetach);
        a destroyed lagg lets its ports go with their own MACs
        (lagg_clone_destroy); a parent that leaves unconfigures its vlans
        (vlan_ifdetach), and a destroyed vlan leaves its parent."""
        lagg = lagg_of(ifnet)
        port = lagg.port(ifnet) if lagg is not None else None
        if lagg is not None and port is not None:
            self._lagg_port_destroy(lagg, port, detaching=True)
        if isinstance(ifnet, Lagg) and destroyed:
            for member in list(ifnet.ports):
                member.ifnet.mac = member.lladdr
                ifnet.ports.remove(member)
        for vlan in vlans_of(ifnet):
            self.vlan_unconfig(vlan)
        if isinstance(ifnet, Vlan) and destroyed:
            self.vlan_unconfig(ifnet)    # vlan_clone_destroy(): ether_ifdetach, then vlan_unconfig

    # -- vnets --------------------------------------------------------------
    def vmove(self, ifnet: Ifnet, target: Vnet) -> None:
        """if_vmove_loan()/if_vmove_reclaim() (ifconfig vnet|-vnet): refused
        when the target already has an interface of that name."""
        if target is ifnet.vnet:
            raise OSErr(EEXIST)
        if target.ifunit(ifnet.name):
            raise OSErr(EEXIST)
        self._move(ifnet, target)

    def _move(self, ifnet: Ifnet, target: Vnet) -> None:
        """if_vmove(): the interface leaves its bridge, loses its addresses
        and IFF_UP, and joins the target vnet keeping its index and name."""
        self._pseudo_departure(ifnet, destroyed=False)
        self._leave_bridge(ifnet)
        ifnet.vnet.purge(ifnet)
        ifnet.vnet.ifnets.remove(ifnet)
        ifnet.set_up(False)
        self.on_ifnet_event(ifnet, "DEPARTURE", ifnet.name)
        ifnet.vnet = target
        target.ifnets.append(ifnet)
        target.added(ifnet)

    def attach_loopback(self, vnet: Vnet) -> Loopback:
        """lo0, which every vnet gets at creation, down and without address."""
        lo0 = new_loopback(vnet, 0)
        self._attach(lo0, unit=0)
        return lo0

    def new_vnet(self, name: str) -> Vnet:
        vnet = Vnet(name)
        self.attach_loopback(vnet)
        if "ipfw" in self.modules:
            self._attach_ipfw(vnet)
        if "ipl" in self.modules:
            self._attach_ipf(vnet)
        return vnet

    def vnets(self) -> list[Vnet]:
        """The network stacks of this kernel: the host's and each VNET jail's."""
        return [self.host_vnet] + [p.vnet for p in self.prisons.values() if p.own_vnet]

    # -- kernel modules (kern_linker.c) ----------------------------------------------
    @property
    def modules(self) -> set[str]:
        """The names of the loaded files ("kernel", "if_bridge" ...)."""
        return self.linker.names()

    def load_module(self, name: str, *, preload: bool = False) -> LinkerFile:
        """linker_load_module() for kldload(2): the file, then each of its
        dependencies not loaded yet (linker_load_dependencies), so they come
        after it in the list; one kldload reference on the file asked for.
        ``preload``: the boot loader put the files in memory, and
        linker_preload() counts a reference for every dependency and
        linker_preload_finish() gives every file a user reference."""
        made: list[LinkerFile] = []
        lf = self._link(name, made, preload)
        lf.userrefs += 1
        self._modules_loaded([f.name for f in made])
        return lf

    def _link(self, name: str, made: list[LinkerFile], preload: bool) -> LinkerFile:
        """linker_make_file() (the next file id, the tail of the list), then
        the dependencies: every file depends on the kernel; a module in a
        loaded file takes a reference on it, a missing one is loaded with
        the file's one reference."""
        lf = self.linker.make(name, KLD_FILES.get(name, 0x4000))
        made.append(lf)
        self.linker.kernel.refs += 1
        self.linker.depend(lf, self.linker.kernel)
        for dep_name in MODULE_DEPENDS.get(name, []):
            dep = self.linker.find(dep_name)
            if dep is not None:
                dep.refs += 1
            else:
                dep = self._link(dep_name, made, preload)
                if preload:
                    dep.refs += 1
                    dep.userrefs += 1
            self.linker.depend(lf, dep)
        return lf

    def _modules_loaded(self, loaded: list[str]) -> None:
        """The MOD_LOAD handlers of the files just loaded."""
        if "ipfw" in loaded:
            self.ipfw_default_to_accept = self.tunable_int("net.inet.ip.fw.default_to_accept") != 0
            for vnet in self.vnets():
                self._attach_ipfw(vnet)
        if "ipl" in loaded:
            for vnet in self.vnets():
                self._attach_ipf(vnet)
        for module in loaded:
            self._add_devices(MODULE_DEVICES.get(module, []))
        if "ng_ether" in loaded:
            # ng_ether_mod_event(MOD_LOAD): a node for every Ethernet interface
            for vnet in self.vnets():
                for ifnet in list(vnet.ifnets):
                    self._ng_ether_attach(ifnet)

    def kldload(self, prison: Prison, file: str) -> int:
        """kldload(2) (kern_linker.c kern_kldload): the host's root only
        (PRIV_KLD_LOAD: EPERM in a jail), a file /boot/kernel has (ENOENT),
        not loaded yet (EEXIST); returns the new file's id."""
        if not prison.is_host:
            raise OSErr(EPERM)
        module = file.rsplit("/", 1)[-1].removesuffix(".ko")
        if module not in KLD_FILES:
            raise OSErr(ENOENT)
        if module in self.modules:
            raise OSErr(EEXIST)
        return self.load_module(module).id

    def kldfind(self, file: str) -> str:
        """kldfind(2): the loaded file of that name (".ko" optional), for
        anyone; ENOENT when none is (the kernel itself is not unloadable,
        so it is not found either)."""
        lf = self.linker.find(file)
        if lf is None or lf is self.linker.kernel:
            raise OSErr(ENOENT)
        return lf.name

    def kldunload(self, prison: Prison, module: str) -> None:
        """kldunload(2) (kern_kldunload): the host's root only
        (PRIV_KLD_UNLOAD). A file loaded for another one's sake is EBUSY; a
        file another one still depends on only loses the user's reference
        and stays; the last reference unloads it, and with it each
        dependency nothing else holds (linker_file_unload)."""
        if not prison.is_host:
            raise OSErr(EPERM)
        lf = self.linker.find(module)
        if lf is None or lf is self.linker.kernel:
            raise OSErr(ENOENT)
        self.linker.unload(lf, self._module_unload)

    def tunable_int(self, name: str) -> int:
        """TUNABLE_INT_FETCH: a kenv number (strtoq, base 0, with the k/m/g
        suffixes of getenv_quad); 0 when unset or not a number."""
        text = self.kenv.get(name, "").strip()
        match = re.fullmatch(r"(-?)(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([kKmMgGtT]?)", text)
        if match is None:
            return 0
        sign, digits, suffix = match.groups()
        base = 16 if digits.startswith("0x") else 8 if digits.startswith("0") else 10
        value = int(digits, base)
        value <<= {"": 0, "k": 10, "m": 20, "g": 30, "t": 40}[suffix.lower()]
        return -value if sign else value

    @staticmethod
    def sysflags_allowed(prison: Prison, user: str) -> bool:
        """PRIV_VFS_SYSFLAGS: may root change the super-user's file flags
        (schg ...)? On the host at securelevel -1, and in a jail created
        with allow.chflags (prison_priv_check)."""
        return user == "root" and (prison.is_host or prison.params.get("allow.chflags") == "1")

    # -- the version and the host name --------------------------------------
    @property
    def version(self) -> str:
        """kern.version's first line: what uname -v prints and rc.d/motd
        puts first in /var/run/motd."""
        branch = self.release.split("-")[0]
        return f"FreeBSD {self.release} releng/{branch}-n271432-8c9ce319fef7 GENERIC"

    @staticmethod
    def sethostname(prison: Prison, name: str) -> None:
        """kern.hostname (sethostname(3)): a jail sets its own name only when
        created with allow.set_hostname (kern_mib.c sysctl_hostname,
        PR_ALLOW_SET_HOSTNAME)."""
        if not prison.is_host and prison.params.get("allow.set_hostname") != "1":
            raise OSErr(EPERM)
        prison.hostname = name

    # -- sysctl(3) -------------------------------------------------------------
    def sysctl_oid(self, name: str) -> Oid:
        """The variable ``name`` and its kind (sysctl's oidfmt); ENOENT for
        one this kernel does not have (or not while its module is out)."""
        oid = MIB.get(name)
        if oid is None or oid.module is not None and oid.module not in self.modules:
            raise OSErr(ENOENT)
        return oid

    def sysctl_names(self, prefix: str = "") -> list[str]:
        """The variables at and below node ``prefix`` (all without one),
        sorted: what sysctl(8) walks for a node or -a."""
        names = [n for n in MIB if not prefix or n == prefix or n.startswith(prefix + ".")]
        return sorted(n for n in names if MIB[n].module is None or MIB[n].module in self.modules)

    def sysctl_get(self, prison: Prison, name: str) -> str:
        return self.sysctl_oid(name).read(self, prison)

    def sysctl_set(self, prison: Prison, name: str, value: str) -> None:
        """A write (kern_sysctl.c sysctl_root): a jail writes only what
        belongs to its own vnet (CTLFLAG_VNET in a VNET jail); the host
        name through sethostname's rule. ``value`` is already checked for
        the variable's type, as sysctl(8) does."""
        oid = self.sysctl_oid(name)
        if not oid.writable:
            raise OSErr(EPERM)
        if name == "kern.hostname":
            self.sethostname(prison, value)
        elif oid.vnet and (prison.is_host or prison.own_vnet):
            prison.vnet.sysctl[name] = int(value)
        else:
            raise OSErr(EPERM)

    # -- kenv(2) -------------------------------------------------------------
    def kenv_set(self, prison: Prison, name: str, value: str) -> None:
        """KENV_SET: root of the host only (PRIV_KENV_SET); names and values
        are bounded (KENV_MNAMELEN, KENV_MVALLEN)."""
        if not prison.is_host:
            raise OSErr(EPERM)
        if len(name) >= KENV_MNAMELEN or len(value) >= KENV_MVALLEN or not name:
            raise OSErr(EINVAL)
        self.kenv[name] = value

    def kenv_unset(self, prison: Prison, name: str) -> None:
        if not prison.is_host:
            raise OSErr(EPERM)
        if name not in self.kenv:
            raise OSErr(ENOENT)
        del self.kenv[name]

    def _add_devices(self, names: list[str]) -> None:
        """New device nodes appear in every devfs mount whose ruleset shows
        them (devfs applies a mount's ruleset to nodes made later)."""
        self.devfs.devices += [n for n in names if n not in self.devfs.devices]
        for mount in self.vfs.mounts:
            if mount.fstype != "devfs":
                continue
            visible = set(self.devfs.visible(mount.ruleset))
            for name in names:
                if name in visible:
                    mount.root.entries.setdefault(name, Device(name))

    def _module_unload(self, name: str) -> None:
        """MOD_UNLOAD of a file's modules: a node type with nodes refuses
        (EBUSY); else the module takes its cloner, devices and firewall
        hooks with it."""
        self._ng_unload(name)
        self._cloner_unloaded(name)
        gone = MODULE_DEVICES.get(name, [])
        self.devfs.devices = [d for d in self.devfs.devices if d not in gone]
        for mount in self.vfs.mounts:
            if mount.fstype == "devfs":
                for device in gone:
                    mount.root.entries.pop(device, None)
        firewall = {"ipfw": "ipfw", "pf": "pf", "ipl": "ipf"}.get(name)
        if firewall is not None:
            for vnet in self.vnets():
                vnet.firewalls.pop(firewall, None)
                pfil.unlink(vnet, firewall)

    def _attach_ipfw(self, vnet: Vnet) -> None:
        # ipfw links its hooks as soon as a vnet has an instance (fw_enable=1)
        vnet.firewalls["ipfw"] = Ipfw(default_to_accept=self.ipfw_default_to_accept)
        pfil.link(vnet, "ipfw")

    @staticmethod
    def _attach_ipf(vnet: Vnet) -> None:
        # vnet_ipf_init() (mlfk_ipl.c), run for every vnet when ipl.ko loads
        # and for each one made later: ipfattach() sets ipf_running to 1 and
        # the hooks are linked, so ipfilter runs (passing all) without ipf -E
        # (a stack built with its ipfilter set up, as a lab's gateway, keeps it)
        ipf = vnet.firewalls.get("ipf")
        if not isinstance(ipf, Ipfilter):
            ipf = vnet.firewalls["ipf"] = Ipfilter()
        ipf.enabled = True
        pfil.link(vnet, "ipf")

    def firewall(self, vnet: Vnet, name: str):  # untyped until every caller handles None
        """The vnet's instance of a firewall whose module is loaded, made on
        first use (pf keeps per-vnet state from module load on, but filters
        only once enabled; ipfilter runs from module load on); None without
        the module."""
        module = {"ipfw": "ipfw", "pf": "pf", "ipf": "ipl"}[name]
        if module not in self.modules:
            return None
        if name not in vnet.firewalls:
            vnet.firewalls[name] = Pf() if name == "pf" else Ipfilter()
        return vnet.firewalls[name]

    def destroy_vnet(self, vnet: Vnet) -> None:
        """vnet_destroy(): interfaces that came from elsewhere go home (under
        their current name); those created inside die with the vnet."""
        self._ng_vnet_gone(vnet)
        for ifnet in list(vnet.ifnets):
            if ifnet.vnet is not vnet:
                continue  # already gone with its epair peer
            if ifnet.home is vnet:
                if isinstance(ifnet, Epair):
                    self._detach(ifnet.peer) if ifnet.peer.index in self.ifindex else None
                self._detach(ifnet)
            else:
                # vnet_if_return() calls if_vmove() with no name check: the
                # interface goes home even where its name is taken (sys/net/if.c).
                self._move(ifnet, ifnet.home)

    # -- jails --------------------------------------------------------------
    def find_prison(self, key: str, parent: Prison | None = None) -> Prison | None:
        """jail_getid(): a jid or a name, as seen from ``parent`` (of the
        jails below it with that name, the lowest jid), from the indexes."""
        viewer = parent or self.prison0
        if key.isdigit():
            found = self.prisons.get(int(key))
            return found if found is not None and _below(found, viewer) else None
        named = self.prisons_named.get(key, {})
        return next((p for jid, p in sorted(named.items()) if _below(p, viewer)), None)

    def visible_prisons(self, viewer: Prison) -> list[Prison]:
        """Jails below ``viewer`` in the hierarchy, sorted by jid."""
        return sorted((p for p in self.prisons.values() if _below(p, viewer)), key=lambda p: p.jid)

    def alloc_jid(self, wanted: int | None) -> int:
        if wanted is not None:
            if wanted in self.prisons:
                raise OSErr(EEXIST)
            return wanted
        # kern_jail.c: the next jid after the last one handed out, so jids
        # keep growing across jail restarts until the host reboots.
        jid = self.last_jid
        for _ in range(JAIL_MAX):
            jid = jid + 1 if jid < JAIL_MAX else 1
            if jid not in self.prisons and all(p.jid != jid for p in self.dying_prisons):
                self.last_jid = jid
                return jid
        raise OSErr(EPERM)

    def jail_create(self, parent: Prison, *, name: str | None, jid: int | None, path: str,
                    hostname: str | None, vnet: bool, persist: bool,
                    ip4: list[ipaddress.IPv4Address], params: dict[str, str],
                    children_max: int, attach: bool = False,
                    ip6: list[ipaddress.IPv6Address] | None = None) -> Prison:
        """jail_set(2) with JAIL_CREATE. ``attach``: the caller will run
        processes in it (jail(8) holds persist for its commands until
        clear_persist). An OSErr's detail is the kernel's errmsg.
        ``params`` "ip4"/"ip6" are the families' modes when given
        (inherit, new, disable)."""
        if not persist and not attach:
            # kern_jail.c: nothing would keep such a jail alive.
            raise OSErr(EINVAL, "new jail must persist or attach")
        if not parent.is_host:
            # kern_jail.c: a jail may only make children.max descendants.
            if parent.children_max == 0:
                raise OSErr(EPERM)
            if len(self.visible_prisons(parent)) >= parent.children_max:
                raise OSErr(EPERM, "prison limit exceeded")
        number = self.alloc_jid(jid)
        label = name if name is not None else str(number)
        if any(p.parent is parent for p in self.prisons_named.get(label, {}).values()):
            raise OSErr(EEXIST)
        prison = Prison(number, label, path, hostname if hostname is not None else parent.hostname,
                        self.new_vnet(f"jail {label}") if vnet else parent.vnet, vnet, parent,
                        persist=True,   # or held by jail(8) until clear_persist()
                        ip4=ip4, params=params, children_max=children_max, ip6=list(ip6 or []))
        if not vnet:
            self._restrict_addresses(prison, parent)
        self.prisons[number] = prison
        self.prisons_named.setdefault(label, {})[number] = prison
        return prison

    @staticmethod
    def _restrict_addresses(prison: Prison, parent: Prison) -> None:
        """kern_jail.c kern_jail_set for a new jail without a vnet: a family
        the caller did not mention is restricted to no address ("disable",
        as jail(8) leaves ip6 of a jail given only ip4.addr); "inherit"
        copies the parent's restriction and addresses; addresses given
        (or "new") restrict the jail to them."""
        params = prison.params
        mode4 = params.get("ip4", "new" if prison.ip4 else "disable")
        if mode4 == "inherit":
            prison.ip4_restricted, prison.ip4 = parent.ip4_restricted, list(parent.ip4)
        else:
            prison.ip4_restricted = True
            prison.ip4 = [] if mode4 == "disable" else prison.ip4
        mode6 = params.get("ip6", "new" if prison.ip6 else "disable")
        if mode6 == "inherit":
            prison.ip6_restricted, prison.ip6 = parent.ip6_restricted, list(parent.ip6)
        else:
            prison.ip6_restricted = True
            prison.ip6 = [] if mode6 == "disable" else prison.ip6

    def jail_update(self, prison: Prison, *, vnet: bool | None = None, path: str | None = None,
                    hostname: str | None = None, persist: bool | None = None,
                    allow: dict[str, str] | None = None) -> None:
        """jail_set(2) with JAIL_UPDATE: vnet and path are fixed at creation
        (kern_jail.c errmsgs); a jail that loses persist dies when no
        process is left in it."""
        if vnet is not None:
            raise OSErr(EINVAL, "vnet cannot be changed after creation")
        if path is not None:
            raise OSErr(EINVAL, "path cannot be changed after creation")
        if hostname is not None:
            prison.hostname = hostname
        prison.params.update(allow or {})
        if persist is not None:
            prison.persist = persist
        self.reap_if_empty(prison)

    def clear_persist(self, prison: Prison) -> None:
        """jail(8)'s clear_persist(): the persist it held for its commands
        goes, and the jail with it unless a process is left."""
        prison.persist = False
        self.reap_if_empty(prison)

    def jail_remove(self, prison: Prison) -> None:
        for child in [p for p in self.prisons.values() if p.parent is prison]:
            self.jail_remove(child)
        gone = {p.pid for p in self.processes if p.jid == prison.jid}
        self.processes = [p for p in self.processes if p.jid != prison.jid]
        if prison.own_vnet:
            self._vnet_release(prison)
        else:
            # exit(2) closes a process's sockets; a jail without a vnet of
            # its own had them in its parent's stack (soclose via fdrop)
            prison.vnet.listeners[:] = [l for l in prison.vnet.listeners if l.pid not in gone]
        del self.prisons[prison.jid]
        named = self.prisons_named[prison.name]
        del named[prison.jid]
        if not named:
            del self.prisons_named[prison.name]

    def _vnet_release(self, prison: Prison) -> None:
        """A removed jail's vnet goes with the jail's last reference, not
        with the jail: jail_remove(2) only makes the prison dying
        (kern_jail.c prison_deref: PRISON_STATE_DYING, prison_cleanup),
        and vnet_destroy(), whose first destructor returns the moved
        interfaces home (sys/net/if.c vnet_if_return, a VNET_SYSUNINIT at
        SI_SUB_VNET_DONE, run first by vnet_sysuninit's reverse order), is
        called only once pr_ref drops to zero. Every socket and inpcb holds
        a credential, so a reference: a TCP connection in TIME_WAIT keeps
        the jail dying, and its interfaces away, for up to 2 * MSL
        (tcp_timewait.c), as the article saw on 13.0."""
        if any(end > self.clock for end in prison.vnet.time_wait):
            prison.dying = True
            self.dying_prisons.append(prison)
        else:
            self.destroy_vnet(prison.vnet)

    def _reap_dying(self) -> None:
        """prison_complete() for a dying jail whose last TIME_WAIT ended:
        its vnet is destroyed now (and its jid is free again)."""
        for prison in list(self.dying_prisons):
            if all(end <= self.clock for end in prison.vnet.time_wait):
                self.dying_prisons.remove(prison)
                prison.vnet.time_wait.clear()
                self.destroy_vnet(prison.vnet)

    def reap_if_empty(self, prison: Prison) -> None:
        """A jail without persist dies when its last process exits."""
        # from the newest process: a jail's own are the last spawned
        if not prison.persist and not any(p.jid == prison.jid for p in reversed(self.processes)):
            self.jail_remove(prison)

    # -- time -----------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Let virtual time pass (sleep, ping intervals, timeouts): a process
        waits here, so here a signal or a deadline can reach it."""
        self.clock += seconds
        try:
            self._time_passed(seconds)
        finally:
            self._nd6_dad_timer()      # the callouts that came due meanwhile

    def now(self) -> datetime:
        """The wall-clock time: EPOCH plus the virtual seconds passed."""
        return EPOCH + timedelta(seconds=self.clock)

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[DeadlineToken]:
        """Virtual time a command may take; past it, Deadline is raised
        (carrying this token) from wherever time passes."""
        token = DeadlineToken()
        entry = (self.clock + seconds, token)
        self.deadlines.append(entry)
        try:
            yield token
        finally:
            self.deadlines.remove(entry)

    def _time_passed(self, seconds: float) -> None:
        self._reap_dying()
        if self.foreground and self.pace is not None and not self.sigint:
            waited = self.pace(seconds)   # real seconds; fewer when ^C came
            self.clock -= seconds - waited
        expired = [entry for entry in self.deadlines if self.clock > entry[0]]
        if expired:
            at, token = min(expired, key=lambda entry: entry[0])
            if not self.foreground or self.sigint_at is None or at <= self.sigint_at:
                self.clock = at
                raise Deadline(token)
        self.take_signal()

    def take_signal(self, spin: bool = False) -> None:
        """Deliver SIGINT to the foreground line if it is due: ^C was typed,
        or the line's limit is past (then time stops there, and every later
        wait is interrupted too, as ^C typed again and again would).
        ``spin``: a shell loop turns, which counts towards the limit."""
        if not self.foreground:
            return
        self.spins += spin
        if self.sigint_at is not None and (self.clock >= self.sigint_at
                                           or self.spins > SPIN_LIMIT):
            self.clock = min(self.clock, self.sigint_at)
        elif not self.sigint:
            return
        self.sigint = False
        self.sigints += 1
        raise Interrupted()

    @contextmanager
    def background(self) -> Iterator[None]:
        """A background job of the foreground line: it ignores ^C (sh's
        FORK_BG), does not wait at the pace of the terminal, and is stopped
        after BACKGROUND_LIMIT virtual seconds."""
        saved = self.pace, self.sigint_at, self.sigint, self.sigints
        if self.foreground:
            self.pace, self.sigint = None, False
            end = self.clock + BACKGROUND_LIMIT
            self.sigint_at = end if self.sigint_at is None else min(end, self.sigint_at)
        self.jobs += 1
        try:
            yield
        finally:
            self.jobs -= 1
            # what stopped the job is the job's own: the line goes on
            self.pace, self.sigint_at, self.sigints = saved[0], saved[1], saved[3]
            self.sigint = self.sigint or saved[2]

    # -- netgraph(4) -----------------------------------------------------------
    def netgraph(self, vnet: Vnet) -> Netgraph:
        """The vnet's graph (ENOENT-free: callers check netgraph.ko first)."""
        graph = self.netgraphs.get(vnet)
        if graph is None:
            # a partial, not a lambda: the machine pickles (jailkit.sim.serve)
            graph = self.netgraphs[vnet] = Netgraph(
                functools.partial(self._ng_eiface_create, vnet), self._ng_eiface_destroy)
        return graph

    def ng_socket(self, prison: Prison, name: str) -> tuple[Netgraph, Node]:
        """socket(PF_NETGRAPH, SOCK_DGRAM, NG_CONTROL) as libnetgraph's
        NgMkSockNode makes it: the socket node, named ``name``. Without
        ng_socket.ko the library kldloads it (EPERM in a jail). A jail
        without a vnet of its own lacks PRIV_NETGRAPH_CONTROL (ngc_attach):
        the graph it would reach is the host's."""
        if not prison.is_host and not prison.own_vnet:
            raise OSErr(EPERM)
        if "ng_socket" not in self.modules:
            self.kldload(prison, "ng_socket")
        graph = self.netgraph(prison.vnet)
        node = graph.make_node("socket")
        try:
            graph.name(node, name)
        except OSErr:
            graph.shutdown(node)
            raise
        return graph, node

    def ng_mkpeer(self, prison: Prison, graph: Netgraph, node: Node, type_name: str,
                  ourhook: str, peerhook: str) -> None:
        """NGM_MKPEER through ng_socket: an unknown type makes the kernel
        kldload "ng_" TYPE first (ng_socket.c ngc_send), so a type that no
        module declares fails with kldload's ENOENT."""
        module = f"ng_{type_name}"
        if module not in self.modules:
            self.kldload(prison, module)
        graph.mkpeer(node, type_name, ourhook, peerhook)

    def _ng_eiface_create(self, vnet: Vnet, node: Node) -> Ifnet:
        """ng_eiface_constructor(): ngethN at the vnet's lowest free unit
        (alloc_unr), with a zero MAC, VLAN_MTU and JUMBO_MTU; the node takes
        the interface's name (if it can) before ether_ifattach()."""
        unit = vnet.alloc_unit("ngeth")
        ifnet = Eiface(f"ngeth{unit}", "ngeth", unit, "00:00:00:00:00:00", vnet, vnet,
                       options=0x28, baudrate=1_000_000_000,
                       media="Ethernet autoselect (1000baseT <full-duplex>)")
        with suppress(OSErr):
            self.netgraph(vnet).name(node, ifnet.name)
        return self._attach(ifnet)

    def _ng_eiface_destroy(self, ifnet: Ifnet) -> None:
        """ng_eiface_rmnode(): ether_ifdetach() and the unit back, wherever
        the interface lives now."""
        self._detach(ifnet)
        self.on_ifnet_event(ifnet, "DEPARTURE", ifnet.name)
        ifnet.home.free_unit(ifnet.dname, ifnet.dunit)

    def _ng_ether_attach(self, ifnet: Ifnet) -> None:
        """ether_ifattach() calls ng_ether_attach while ng_ether.ko is in:
        every interface with an Ethernet address but a bridge (IFT_BRIDGE)."""
        if "ng_ether" in self.modules and ifnet.mac is not None \
                and not isinstance(ifnet, Bridge):
            self.netgraph(ifnet.vnet).ether_attach(ifnet)

    def _ng_vnet_gone(self, vnet: Vnet) -> None:
        """vnet_netgraph_uninit(): a dying vnet's nodes all shut down, its
        ng_eifaces taking their interfaces wherever they are."""
        graph = self.netgraphs.pop(vnet, None)
        if graph is not None:
            graph.destroy()

    def _ng_unload(self, module: str) -> None:
        """A node type unloads only while it has no node (ng_base.c
        ng_mod_event: EBUSY while type->refs > 1), so ng_ether stays as long
        as an Ethernet interface does; netgraph.ko goes with its graphs."""
        type_name = module.removeprefix("ng_")
        if module.startswith("ng_") and any(
                n.type == type_name for g in self.netgraphs.values() for n in g.nodes.values()):
            raise OSErr(EBUSY)
        if module == "netgraph":
            self.netgraphs.clear()

    # -- processes ------------------------------------------------------------
    def spawn(self, jid: int, command: str, user: str = "root") -> Process:
        self.next_pid += self.rng.randint(1, 7)
        process = Process(self.next_pid, jid, command, user)
        self.processes.append(process)
        return process


def _vnet_oid(name: str) -> Oid:
    return Oid(lambda kernel, prison: str(prison.vnet.sysctl[name]), vnet=True, writable=True)


def _const_oid(value: str, integer: bool = False) -> Oid:
    return Oid(lambda kernel, prison: value, integer=integer)


# The MIB variables the howtos use.
MIB: dict[str, Oid] = {
    "net.inet.ip.forwarding": _vnet_oid("net.inet.ip.forwarding"),
    "net.inet.ip.ttl": _vnet_oid("net.inet.ip.ttl"),
    "net.inet6.ip6.forwarding": _vnet_oid("net.inet6.ip6.forwarding"),
    "net.inet6.ip6.dad_count": _vnet_oid("net.inet6.ip6.dad_count"),
    "net.link.bridge.inherit_mac": _vnet_oid("net.link.bridge.inherit_mac"),
    "net.link.bridge.pfil_member": _vnet_oid("net.link.bridge.pfil_member"),
    "net.link.bridge.pfil_bridge": _vnet_oid("net.link.bridge.pfil_bridge"),
    "net.link.bridge.pfil_onlyip": _vnet_oid("net.link.bridge.pfil_onlyip"),
    "net.link.bridge.pfil_local_phys": _vnet_oid("net.link.bridge.pfil_local_phys"),
    "kern.hostname": Oid(lambda kernel, prison: prison.hostname, writable=True, integer=False),
    "kern.ostype": _const_oid("FreeBSD"),
    "kern.osrelease": Oid(lambda kernel, prison: prison.params.get("osrelease", kernel.release),
                          integer=False),
    "kern.features.vimage": _const_oid("1", integer=True),
    "net.fibs": Oid(lambda kernel, prison: str(kernel.numfibs)),
    "kern.features.inet": _const_oid("1", integer=True),
    "kern.features.inet6": _const_oid("1", integer=True),
    "kern.securelevel": _const_oid("-1", integer=True),
    "kern.hostid": Oid(lambda kernel, prison: str(kernel.hostid)),
    "kern.hostuuid": Oid(lambda kernel, prison: kernel.hostuuid, integer=False),
    "hw.machine": _const_oid("amd64"),
    "hw.ncpu": _const_oid("2", integer=True),
    # ip_fw2.c: fetched from the kernel environment when ipfw.ko loads
    "net.inet.ip.fw.default_to_accept": Oid(
        lambda kernel, prison: str(int(kernel.ipfw_default_to_accept)), tunable=True,
        module="ipfw"),
    "security.jail.jailed": Oid(lambda kernel, prison: "0" if prison.is_host else "1"),
    "security.jail.vnet": Oid(
        lambda kernel, prison: "1" if prison.own_vnet and not prison.is_host else "0"),
}

# if_lagg.c and ieee8023ad_lacp.c: each vnet's own (CTLFLAG_VNET), while
# if_lagg.ko is loaded.
LAGG_SYSCTLS = {FAILOVER_RX_ALL: 0, "net.link.lagg.default_use_flowid": 0,
                "net.link.lagg.default_flowid_shift": 16, "net.link.lagg.lacp.debug": 0,
                LACP_STRICT: 1}


def _lagg_oid(name: str, default: int) -> Oid:
    return Oid(lambda kernel, prison: str(prison.vnet.sysctl.get(name, default)), vnet=True,
               writable=True, module="if_lagg")


MIB.update({name: _lagg_oid(name, default) for name, default in LAGG_SYSCTLS.items()})

# pf_ioctl.c: net.pf.filter_local, each vnet's own while pf.ko is loaded;
# at 1 pf's outbound IPv4 hook also runs on the inet-local head (pfil.py),
# so rdr rules reach connections a stack makes to itself
MIB["net.pf.filter_local"] = Oid(lambda kernel, prison: str(prison.vnet.sysctl.get(pfil.PF_FILTER_LOCAL, 0)),
                                 vnet=True, writable=True, module="pf")
