"""The lab, built out of FreeBSD itself on a real box.

- The LAN is an epair: one end, renamed to the lab's NIC name (``fxp0``) and
  given the lab's MAC and the host's address, stays on the host; the other
  end is the LAN port (lan0) of the gateway, a VNET jail that forwards.
- A host with more NICs (host.other_nics) gets one epair per NIC, its host
  end renamed to the NIC (``igb1``) with the lab's MAC and no address. The
  LAN is then a switch: lan0 is a bridge inside the gateway with the
  gateway's MAC and address, and every NIC's far end is its member.
- The internet is a bridge inside the gateway (wan0, with the gateway's
  internet address); each internet host is a VNET jail with one epair end
  on that bridge, its address and a default route back through the gateway.
  The host's own firewalls never see this traffic.
- The gateway translates the LAN as the lab says (ipnat "map", or pf
  "nat") and answers DNS for the lab's names with local-unbound.
- Services come from the base system: inetd runs small sh scripts for whois
  (port 43) and http (80); sshd listens where the lab says.
- The host takes the gateway as its default route and its resolver, as
  the howto's machine has them; both are put back when the lab goes, and
  the route is only taken when the ssh session to the box does not depend
  on it.

Every name jailkit uses is its own (jails jk_*, epair200 and up, bridge200,
files under /var/run/jailkit), and each is checked to be free before the
build. The epairs, the bridge and the jails are made with the words of
FreeBSD's network regression tests (jailkit.vnet_subr). A LabRecord writes down what was made as it is made (a name before
the command that creates it, its jid or MAC once known); the take-down
removes only what the record holds, after checking that each thing is
still the one recorded: wan0 and lan0 are destroyed inside jailkit's own
gateway jail, never by name on the host, and the lab's NIC only when it
still has the MAC jailkit gave it. A failure or an interrupt of any kind
half-way takes down what was built so far. The box's default route and
resolv.conf come back from the copy held in the record, and only while
they are still as the lab left them; the state file on the box is for
people (what to put back by hand after a crash), and a state file found
there at the start is reported, never applied. The same commands run on a
bare sim host (``sim://?bare=1``), which is how they are tested here."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from .files import exists, read_file, replace_file, write_file
from .host import Host, HostError, command_line
from .lab import GATEWAY_JAIL, Internet, InternetHost, Lab, LabNic, internet_host_jail
from .parsers.ifconfig import parse_ifconfig, parse_list
from .parsers.ipfilter import parse_ipf_running
from .parsers.jls import parse_names
from .parsers.route import parse_route_get
from .vnet_subr import VnetSubr

GATEWAY_PORT = "lan0"
WAN_PORT = "wan0"
WAN_UNIT = 200
WAN_BRIDGE = f"bridge{WAN_UNIT}"
LAN_BRIDGE = f"bridge{WAN_UNIT + 1}"    # the LAN's switch, when the host has more NICs
FIRST_UNIT = 200            # epair200 is the LAN, epair201... the internet hosts, then the other NICs
RUN = "/var/run/jailkit"
STATE = f"{RUN}/lab.state"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class LabBuildError(HostError):
    pass


@dataclass
class LabRecord:
    """What build_lab() made on the box, written down as it was made."""
    run_dir: bool = False
    # host interfaces it created (names checked free first) -> the MAC it
    # gave them ("" until known)
    interfaces: dict[str, str] = field(default_factory=dict)
    jails: dict[str, str] = field(default_factory=dict)          # name -> jid ("" until known)
    inside: dict[str, list[str]] = field(default_factory=dict)   # jail -> interfaces put there
    route_taken: bool = False
    old_gateway: str = ""                   # the box's default gateway ("" when none)
    resolv_taken: bool = False
    old_resolv: str | None = None           # the box's resolv.conf (None when it had none)
    lab_resolv: str = ""                    # what the lab wrote there
    modules: list[str] = field(default_factory=list)   # kernel modules it loaded

    def put_inside(self, jail: str, *names: str) -> None:
        self.inside.setdefault(jail, []).extend(names)


def _must(host: Host, command: str | Sequence[str], stdin: str | None = None) -> str:
    result = host.run(command, stdin=stdin)
    if not result.succeeded:
        raise LabBuildError(f"building the lab: `{command_line(command)}` failed: "
                            f"{(result.stderr or result.stdout).strip()}")
    return result.stdout


class _Wires(VnetSubr):
    """vnet.subr's epairs, bridges and jails, failing as every step of the
    build does. The lab's own record says what to take down (VnetSubr's
    lists are not used)."""

    def must(self, command: Sequence[str]) -> str:
        return _must(self.host, command)


def lab_present(host: Host, lab: Lab) -> bool:
    """Is the lab's NIC already there with the host's address? Raises when
    the name is taken by something else, which jailkit will not touch."""
    shown = host.run(["ifconfig", lab.host.nic])
    if not shown.succeeded:
        return False
    nic = parse_ifconfig(shown.stdout).get(lab.host.nic)
    if nic is not None and any(inet.address == str(lab.host.address.ip) for inet in nic.inet):
        return True
    raise LabBuildError(f"{lab.host.nic} exists on the host but is not the lab's LAN (it does not "
                        f"have {lab.host.address}); jailkit leaves it alone: use a lab with another NIC")


def build_lab(host: Host, lab: Lab) -> LabRecord | None:
    """Build the lab unless it is already there; its record when it was
    built. Any failure half-way (a command that fails, a lost connection, a
    timeout, an interrupt) takes down what was built, then goes on."""
    if lab_present(host, lab):
        return None
    _refuse_leftovers(host)
    _refuse_taken_names(host, lab)
    route = _default_route_plan(host, lab)
    _refuse_dhcp_default(host)
    record = LabRecord()
    try:
        _load_modules(host, lab, record)
        record.run_dir = True
        _must(host, f"mkdir -p {RUN}")
        wires = _Wires(host)
        _lan(wires, lab, record)
        if lab.internet is not None:
            _internet(wires, lab.internet, record)
            _translation(host, lab)
        if lab.dns:
            _name_server(host, lab)
        _take_over(host, lab, route, record)
    except BaseException as failure:
        try:
            _take_down(host, lab, record)
        except Exception as also:
            # the box needs a person now: say both, whatever stopped the build
            raise LabBuildError(f"building the lab stopped ({type(failure).__name__}: {failure}) "
                                f"and taking down what was built failed: {also}") from failure
        raise
    return record


def remove_lab(host: Host, lab: Lab, record: LabRecord) -> None:
    _take_down(host, lab, record)


# -- building ---------------------------------------------------------------------

def _refuse_leftovers(host: Host) -> None:
    """An earlier run that could not finish leaves its state file: it says
    what that lab took from the box, which a person must put back by hand.
    jailkit reports it and applies nothing from it."""
    if not exists(host, RUN):
        return
    state = read_file(host, STATE)
    said = f"{STATE} says:\n{state}" if state else f"{STATE} cannot be read.\n"
    raise LabBuildError(
        f"{RUN} is left from an earlier jailkit run that did not take its lab down; {said}"
        "jailkit applies nothing from it: check the box's default route and /etc/resolv.conf "
        f"(the copy that run kept is {RUN}/resolv.conf.saved), then remove {RUN}")


def _refuse_dhcp_default(host: Host) -> None:
    """With ifconfig_DEFAULT saying DHCP (the official Vagrant boxes' rc.conf),
    devd(8) starts a dhclient on every Ethernet interface that comes up, the
    lab's and the jails' epairs included: each gets the address 0.0.0.0 and
    a dhclient the scenarios would see. The box must name its DHCP NICs."""
    default = host.run(["sysrc", "-n", "ifconfig_DEFAULT"]).stdout
    if any(word.upper() in ("DHCP", "SYNCDHCP", "NOSYNCDHCP") for word in default.split()):
        raise LabBuildError(
            f'the box\'s rc.conf has ifconfig_DEFAULT="{default.strip()}": devd would start '
            "dhclient on every interface the lab and the jails make. Name the NICs that use "
            'DHCP instead (sysrc ifconfig_em0="SYNCDHCP"; sysrc -x ifconfig_DEFAULT), as '
            "vagrant/provision.sh does")


def _refuse_taken_names(host: Host, lab: Lab) -> None:
    jails = parse_names(host.run("jls name").stdout)
    ours = [GATEWAY_JAIL] + [internet_host_jail(i) for i in range(1, len(_hosts(lab)) + 1)]
    taken = [name for name in ours if name in jails]
    if taken:
        raise LabBuildError(f"a jail named {taken[0]} already runs on the host; jailkit builds its "
                            "lab under that name and leaves yours alone")
    interfaces = parse_list(host.run("ifconfig -l").stdout)
    units = range(FIRST_UNIT, _other_nic_unit(lab, len(lab.host.other_nics)))
    clash = [n for n in interfaces if n in (WAN_BRIDGE, LAN_BRIDGE)
             or any(n.startswith(f"epair{u}") for u in units)]
    if clash:
        raise LabBuildError(f"{clash[0]} exists on the host; jailkit's lab needs that name")
    nics = [nic.nic for nic in lab.host.other_nics if nic.nic in interfaces]
    if nics:
        raise LabBuildError(f"{nics[0]} exists on the host; the lab's NIC of that name would take "
                            "its place, so jailkit leaves it alone: use a lab with other NIC names")


def _other_nic_unit(lab: Lab, index: int) -> int:
    """The epair unit of the host's ``index``-th other NIC (from 0), after
    the LAN's and the internet hosts'."""
    return FIRST_UNIT + 1 + len(_hosts(lab)) + index


def _hosts(lab: Lab) -> tuple[InternetHost, ...]:
    return lab.internet.hosts if lab.internet is not None else ()


def modules_needed(lab: Lab) -> list[str]:
    """The kernel modules the lab's machines need. A jail cannot load one
    (kldload needs PRIV_KLD_LOAD, which no jail is granted), so they are
    loaded on the host: epairs and bridges for the wires, and the gateway's
    NAT (ipl.ko for ipnat, pf.ko for pf)."""
    needed = ["if_epair", "if_bridge"]
    if lab.internet is not None:
        needed += {"ipnat": ["ipl"], "pf": ["pf"]}.get(lab.nat, [])
    return needed


def _load_modules(host: Host, lab: Lab, record: LabRecord) -> None:
    for module in modules_needed(lab):
        if host.run(["kldstat", "-q", "-n", module]).succeeded:
            continue
        _must(host, f"kldload {module}")
        record.modules.append(module)


def _lan(wires: _Wires, lab: Lab, record: LabRecord) -> None:
    host, pair = wires.host, f"epair{FIRST_UNIT}"
    nic = _host_nic(wires, record, FIRST_UNIT, LabNic(lab.host.nic, lab.host.mac))
    _must(host, f"ifconfig {nic} inet {lab.host.address} up")
    _jail(wires, record, GATEWAY_JAIL, lab.gateway_name, f"{pair}b")
    _must(host, f"jexec {GATEWAY_JAIL} ifconfig lo0 inet 127.0.0.1/8 up")
    if lab.host.other_nics:
        _lan_switch(wires, lab, record)
    else:
        record.put_inside(GATEWAY_JAIL, f"{pair}b", GATEWAY_PORT)
        _must(host, f"jexec {GATEWAY_JAIL} ifconfig {pair}b name {GATEWAY_PORT} > /dev/null")
        _gateway_port(host, lab)
    _must(host, f"jexec {GATEWAY_JAIL} sysctl net.inet.ip.forwarding=1 > /dev/null")


def _host_nic(wires: _Wires, record: LabRecord, unit: int, nic: LabNic) -> str:
    """epair``unit``, its a end renamed to the lab's NIC with the lab's MAC
    (each name recorded before the command that makes it)."""
    host, pair = wires.host, f"epair{unit}"
    record.interfaces[f"{pair}a"] = ""
    wires.mkepair(unit=unit)
    record.interfaces[nic.nic] = ""
    _must(host, f"ifconfig {pair}a name {nic.nic} > /dev/null")
    del record.interfaces[f"{pair}a"]
    _must(host, f"ifconfig {nic.nic} ether {nic.mac}")
    record.interfaces[nic.nic] = nic.mac
    return nic.nic


def _gateway_port(host: Host, lab: Lab) -> None:
    """lan0 (an epair end, or the LAN's bridge) with the gateway's MAC and address."""
    for step in (f"jexec {GATEWAY_JAIL} ifconfig {GATEWAY_PORT} ether {lab.gateway_mac}",
                 f"jexec {GATEWAY_JAIL} ifconfig {GATEWAY_PORT} inet "
                 f"{lab.gateway}/{lab.lan.prefixlen} up"):
        _must(host, step)


def _lan_switch(wires: _Wires, lab: Lab, record: LabRecord) -> None:
    """The LAN as a switch for a host with more NICs: a bridge inside the
    gateway (lan0, with the gateway's address) whose members are the far
    ends of every NIC's epair, so that each NIC (and a lagg of them, or a
    jail given one) reaches the gateway."""
    host = wires.host
    record.interfaces[LAN_BRIDGE] = ""
    wires.mkbridge(unit=WAN_UNIT + 1)
    record.put_inside(GATEWAY_JAIL, f"epair{FIRST_UNIT}b", LAN_BRIDGE, GATEWAY_PORT)
    for step in (f"ifconfig {LAN_BRIDGE} vnet {GATEWAY_JAIL}",
                 f"jexec {GATEWAY_JAIL} ifconfig {LAN_BRIDGE} name {GATEWAY_PORT} > /dev/null"):
        _must(host, step)
    _gateway_port(host, lab)
    _switch_port(host, f"epair{FIRST_UNIT}b")
    for index, nic in enumerate(lab.host.other_nics):
        unit = _other_nic_unit(lab, index)
        _host_nic(wires, record, unit, nic)
        record.put_inside(GATEWAY_JAIL, f"epair{unit}b")
        _must(host, f"ifconfig epair{unit}b vnet {GATEWAY_JAIL}")
        _switch_port(host, f"epair{unit}b")


def _switch_port(host: Host, port: str) -> None:
    for step in (f"jexec {GATEWAY_JAIL} ifconfig {port} up",
                 f"jexec {GATEWAY_JAIL} ifconfig {GATEWAY_PORT} addm {port}"):
        _must(host, step)


def _jail(wires: _Wires, record: LabRecord, name: str, hostname: str, interface: str) -> None:
    """A persistent VNET jail holding ``interface``, recorded with its jid."""
    record.jails[name] = ""
    wires.mkjail(name, interface, params={"host.hostname": hostname, "path": "/"})
    record.jails[name] = _must(wires.host, f"jls -j {name} jid").strip()


def _internet(wires: _Wires, internet: Internet, record: LabRecord) -> None:
    host, prefix = wires.host, internet.network.prefixlen
    record.interfaces[WAN_BRIDGE] = ""
    wires.mkbridge(unit=WAN_UNIT)
    record.put_inside(GATEWAY_JAIL, WAN_BRIDGE, WAN_PORT)
    for step in (f"ifconfig {WAN_BRIDGE} vnet {GATEWAY_JAIL}",
                 f"jexec {GATEWAY_JAIL} ifconfig {WAN_BRIDGE} name {WAN_PORT} > /dev/null",
                 f"jexec {GATEWAY_JAIL} ifconfig {WAN_PORT} inet "
                 f"{internet.gateway_address}/{prefix} up"):
        _must(host, step)
    for index, machine in enumerate(internet.hosts, start=1):
        jail, pair = internet_host_jail(index), f"epair{FIRST_UNIT + index}"
        record.interfaces[f"{pair}a"] = ""
        wires.mkepair(unit=FIRST_UNIT + index)
        _jail(wires, record, jail, machine.name, f"{pair}b")
        record.put_inside(GATEWAY_JAIL, f"{pair}a")
        for step in (f"ifconfig {pair}a vnet {GATEWAY_JAIL}",
                     f"jexec {GATEWAY_JAIL} ifconfig {pair}a up",
                     f"jexec {GATEWAY_JAIL} ifconfig {WAN_PORT} addm {pair}a",
                     f"jexec {jail} ifconfig lo0 inet 127.0.0.1/8 up",
                     f"jexec {jail} ifconfig {pair}b inet {machine.address}/{prefix} up",
                     f"jexec {jail} route add default {internet.gateway_address} > /dev/null"):
            _must(host, step)
        _services(host, jail, machine)


def _services(host: Host, jail: str, machine: InternetHost) -> None:
    """whois and http through inetd and sh scripts; sshd on the address."""
    lines = []
    if machine.whois is not None:
        head, _, tail = machine.whois.partition("{query}")
        write_file(host, f"{RUN}/{jail}.whois.head", head)
        write_file(host, f"{RUN}/{jail}.whois.tail", tail)
        write_file(host, f"{RUN}/{jail}.whoisd",
                   "#!/bin/sh\n# The lab's whois server: the query, upper case, in the reply.\n"
                   "IFS= read -r query\n"
                   "query=$(printf '%s' \"$query\" | tr -d '\\r' | tr '[:lower:]' '[:upper:]')\n"
                   f"cat {RUN}/{jail}.whois.head\nprintf '%s' \"$query\"\n"
                   f"cat {RUN}/{jail}.whois.tail\n")
        lines.append(f"whois\tstream\ttcp\tnowait\troot\t/bin/sh\tsh {RUN}/{jail}.whoisd")
    if machine.http is not None:
        response = ("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n"
                    f"Content-Length: {len(machine.http)}\r\n\r\n{machine.http}")
        write_file(host, f"{RUN}/{jail}.http", response)
        lines.append(f"http\tstream\ttcp\tnowait\troot\t/bin/cat\tcat {RUN}/{jail}.http")
    if lines:
        write_file(host, f"{RUN}/{jail}.inetd.conf", "".join(line + "\n" for line in lines))
        _must(host, f"jexec {jail} /usr/sbin/inetd -p {RUN}/{jail}.inetd.pid {RUN}/{jail}.inetd.conf")
    if machine.ssh:
        _must(host, f"jexec {jail} /usr/sbin/sshd -o ListenAddress={machine.address} "
                    f"-o PidFile={RUN}/{jail}.sshd.pid")


def _translation(host: Host, lab: Lab) -> None:
    if lab.nat == "ipnat":
        # A new vnet's IPFilter starts disabled; its ipnat rules translate
        # nothing until `ipf -E` has run there, so that must succeed.
        if not _ipfilter_running(host):
            _must(host, f"jexec {GATEWAY_JAIL} ipf -E")
        if not _ipfilter_running(host):
            raise LabBuildError(f"building the lab: IPFilter does not run in {GATEWAY_JAIL} "
                                "after `ipf -E`")
        _must(host, f"jexec {GATEWAY_JAIL} ipnat -f -", stdin=f"map {WAN_PORT} {lab.lan} -> 0/32\n")
    elif lab.nat == "pf":
        _must(host, f"jexec {GATEWAY_JAIL} pfctl -q -f -",
              stdin=f"nat on {WAN_PORT} from {lab.lan} to any -> ({WAN_PORT})\n")
        _must(host, f"jexec {GATEWAY_JAIL} pfctl -q -e")


def _ipfilter_running(host: Host) -> bool:
    return parse_ipf_running(host.run(f"jexec {GATEWAY_JAIL} ipf -V").stdout) is True


def _name_server(host: Host, lab: Lab) -> None:
    lines = ["server:", '\tusername: ""', '\tchroot: ""', f'\tdirectory: "{RUN}"',
             f'\tpidfile: "{RUN}/unbound.pid"', f"\tinterface: {lab.gateway}",
             "\taccess-control: 0.0.0.0/0 allow", "\tdo-ip6: no", '\tlocal-zone: "." static']
    for name, address in lab.names().items():
        lines.append(f'\tlocal-data: "{name}. A {address}"')
        lines.append(f'\tlocal-data-ptr: "{address} {name}."')
    write_file(host, f"{RUN}/unbound.conf", "\n".join(lines) + "\n")
    _must(host, f"jexec {GATEWAY_JAIL} /usr/sbin/local-unbound -c {RUN}/unbound.conf")


# -- the host's own route and resolver -------------------------------------------------

def _default_route_plan(host: Host, lab: Lab) -> str:
    """The box's current default gateway ("" when it has none). Refuses when
    this very ssh session reaches the box by its default route, which the
    lab would take over. The session's client is the host's own knowledge
    (Host.client_address(): the box's view of it, under sudo too)."""
    current = _default_gateway(host)
    client = host.client_address()
    if current and client is not None and _answered_by_default_route(host, client):
        raise LabBuildError(
            f"this ssh session comes from {client} through the box's default route "
            f"({current}); the lab takes that route over (the howto's machine reaches the "
            "internet through the LAN's gateway), which would cut the session. Connect from "
            "a directly attached network (a Vagrant box always does), or give the box a "
            f"host route to {client} first")
    return current


def _answered_by_default_route(host: Host, client: IPAddress) -> bool:
    """Does the box answer ``client`` by the default route the lab takes
    over? That is the IPv4 one (``route change default`` is -inet); an IPv6
    client is answered by the box's IPv6 routes, which the lab leaves as
    they are, whichever of them it takes."""
    if client.version == 6:
        return False
    path = host.run(["route", "-n", "get", "-inet", str(client)]).stdout
    return any(line.split() in (["destination:", "default"], ["destination:", "0.0.0.0"])
               for line in path.splitlines())


def _take_over(host: Host, lab: Lab, old_gateway: str, record: LabRecord) -> None:
    """The lab's gateway becomes the box's default route and resolver. The
    copies to put back are kept in the record; the state file and
    resolv.conf.saved are for a person, after a crash."""
    had_resolv = exists(host, "/etc/resolv.conf")
    resolv = read_file(host, "/etc/resolv.conf") if had_resolv else None
    if had_resolv and resolv is None:
        raise LabBuildError("/etc/resolv.conf exists but cannot be read, so jailkit cannot keep "
                            "a copy of it; it leaves it and the default route alone")
    write_file(host, STATE, f'saved_gateway="{old_gateway}"\nhad_resolv="{had_resolv}"\n')
    if resolv is not None:
        write_file(host, f"{RUN}/resolv.conf.saved", resolv)
    record.route_taken, record.old_gateway = True, old_gateway
    verb = "change" if old_gateway else "add"
    _must(host, f"route {verb} default {lab.gateway} > /dev/null")
    record.resolv_taken, record.old_resolv = True, resolv
    record.lab_resolv = f"# the jailkit lab's name server\nnameserver {lab.gateway}\n"
    replace_file(host, "/etc/resolv.conf", record.lab_resolv)


def _give_back(host: Host, lab: Lab, record: LabRecord) -> list[str]:
    """The box's route and resolv.conf, from the record's copies, each only
    while it is still as the lab left it; returns what was left alone."""
    left = []
    if record.route_taken:
        if _default_gateway(host) == str(lab.gateway):
            if record.old_gateway:
                host.run(["route", "change", "default", record.old_gateway])
            else:
                host.run(["route", "delete", "default", str(lab.gateway)])
        elif _default_gateway(host) != record.old_gateway:
            left.append("the default route (changed since the lab took it)")
    if record.resolv_taken:
        current = read_file(host, "/etc/resolv.conf")
        if current == record.lab_resolv:
            if record.old_resolv is None:
                host.run(["rm", "-f", "/etc/resolv.conf"])
            else:
                replace_file(host, "/etc/resolv.conf", record.old_resolv)
        elif current != record.old_resolv:
            left.append("/etc/resolv.conf (changed since the lab wrote it)")
    return left


def _default_gateway(host: Host) -> str:
    return parse_route_get(host.run("route -n get default").stdout).gateway


# -- taking down --------------------------------------------------------------------

def _take_down(host: Host, lab: Lab, record: LabRecord) -> None:
    """Only what the record holds. Inside each of jailkit's jails, the
    interfaces it put there are destroyed first (an epair end takes its
    other end with it, wherever that is), so that nothing named lan0 or
    wan0 ever comes home to the host; then the jails go, by jid; then the
    host's interfaces the record names, if they still carry its MAC."""
    left = _give_back(host, lab, record)
    for jail in reversed(list(record.jails)):
        if not _is_ours(host, jail, record.jails[jail]):
            continue
        for name in reversed(record.inside.get(jail, [])):
            if name in parse_list(host.run(["jexec", jail, "ifconfig", "-l"]).stdout):
                host.run(["jexec", jail, "ifconfig", name, "destroy"])
        host.run(["jail", "-R", jail])
    for name, mac in record.interfaces.items():
        present = _macs(host)
        if name in present and mac and present[name] != mac:
            left.append(f"{name} (not the one the lab made: its MAC is {present[name]})")
        elif name in present:
            host.run(["ifconfig", name, "destroy"])
    if record.run_dir:
        host.run(["rm", "-rf", RUN])
    for module in reversed(record.modules):
        # one the box took to using meanwhile stays loaded, and is named
        if not host.run(["kldunload", module]).succeeded:
            left.append(f"module {module} (in use)")
    present = _macs(host)
    still = [n for n, mac in record.interfaces.items() if n in present and present[n] in ("", mac)]
    jails = [j for j in record.jails if host.run(["jls", "-j", j]).succeeded]
    if still or jails or left:
        raise LabBuildError("could not take the lab down entirely: "
                            + ", ".join(still + jails + left) + " still there")


def _is_ours(host: Host, jail: str, jid: str) -> bool:
    """The jail of that name is the one the lab made (same jid; a name
    recorded before its jid was known was checked free at the start)."""
    shown = host.run(["jls", "-j", jail, "jid"])
    return shown.succeeded and (not jid or shown.stdout.strip() == jid)


def _macs(host: Host) -> dict[str, str]:
    return {n: i.ether or "" for n, i in parse_ifconfig(host.run("ifconfig -a").stdout).items()}
