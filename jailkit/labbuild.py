"""The lab, built out of FreeBSD itself on a real box.

- The LAN is an epair: one end, renamed to the lab's NIC name (``fxp0``) and
  given the lab's MAC and the host's address, stays on the host; the other
  end is the LAN port (lan0) of the gateway, a VNET jail that forwards.
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
files under /var/run/jailkit), so nothing of the box's is touched. The same
commands run on a bare sim host (``sim://?bare=1``), which is how they are
tested here."""

from __future__ import annotations

import shlex

from .files import read_file, write_file
from .host import Host, HostError
from .lab import InternetHost, Lab

GATEWAY_JAIL = "jk_gateway"
GATEWAY_PORT = "lan0"
WAN_PORT = "wan0"
WAN_BRIDGE = "bridge200"
FIRST_UNIT = 200            # epair200 is the LAN, epair201... the internet hosts
RUN = "/var/run/jailkit"
STATE = f"{RUN}/lab.state"


class LabBuildError(HostError):
    pass


def _must(host: Host, command: str, stdin: str | None = None) -> str:
    result = host.run(command, stdin=stdin)
    if not result.succeeded:
        raise LabBuildError(f"building the lab: `{command}` failed: "
                            f"{(result.stderr or result.stdout).strip()}")
    return result.stdout


def host_jail(index: int) -> str:
    return f"jk_net{index}"


def lab_present(host: Host, lab: Lab) -> bool:
    """Is the lab's NIC already there with the host's address? Raises when
    the name is taken by something else, which jailkit will not touch."""
    shown = host.run(["ifconfig", lab.host.nic])
    if not shown.succeeded:
        return False
    if f"inet {lab.host.address.ip} " in shown.stdout:
        return True
    raise LabBuildError(f"{lab.host.nic} exists on the host but is not the lab's LAN (it does not "
                        f"have {lab.host.address}); jailkit leaves it alone: use a lab with another NIC")


def build_lab(host: Host, lab: Lab) -> bool:
    """Build the lab unless it is already there; True when it was built.
    A failure half-way takes down what was built and says what failed."""
    if lab_present(host, lab):
        return False
    _refuse_taken_names(host, lab)
    route = _default_route_plan(host, lab)
    try:
        _must(host, f"mkdir -p {RUN}")
        _lan(host, lab)
        if lab.internet is not None:
            _internet(host, lab)
            _translation(host, lab)
        if lab.dns:
            _name_server(host, lab)
        _take_over(host, lab, route)
    except LabBuildError:
        _take_down(host, lab)
        raise
    return True


def remove_lab(host: Host, lab: Lab) -> None:
    _take_down(host, lab)


# -- building ---------------------------------------------------------------------

def _refuse_taken_names(host: Host, lab: Lab) -> None:
    jails = host.run("jls name").stdout.split()
    ours = [GATEWAY_JAIL] + [host_jail(i) for i in range(1, len(_hosts(lab)) + 1)]
    taken = [name for name in ours if name in jails]
    if taken:
        raise LabBuildError(f"a jail named {taken[0]} already runs on the host; jailkit builds its "
                            "lab under that name and leaves yours alone")
    interfaces = host.run("ifconfig -l").stdout.split()
    units = range(FIRST_UNIT, FIRST_UNIT + 1 + len(_hosts(lab)))
    clash = [n for n in interfaces if n == WAN_BRIDGE or any(n.startswith(f"epair{u}") for u in units)]
    if clash:
        raise LabBuildError(f"{clash[0]} exists on the host; jailkit's lab needs that name")


def _hosts(lab: Lab) -> tuple[InternetHost, ...]:
    return lab.internet.hosts if lab.internet is not None else ()


def _lan(host: Host, lab: Lab) -> None:
    nic = lab.host.nic
    pair = f"epair{FIRST_UNIT}"
    _must(host, f"ifconfig {pair} create > /dev/null")
    for step in (f"ifconfig {pair}a name {nic} > /dev/null",
                 f"ifconfig {nic} ether {lab.host.mac}",
                 f"ifconfig {nic} inet {lab.host.address} up",
                 f"jail -c name={GATEWAY_JAIL} host.hostname={shlex.quote(lab.gateway_name)} "
                 f"path=/ persist vnet vnet.interface={pair}b",
                 f"jexec {GATEWAY_JAIL} ifconfig lo0 inet 127.0.0.1/8 up",
                 f"jexec {GATEWAY_JAIL} ifconfig {pair}b name {GATEWAY_PORT} > /dev/null",
                 f"jexec {GATEWAY_JAIL} ifconfig {GATEWAY_PORT} ether {lab.gateway_mac}",
                 f"jexec {GATEWAY_JAIL} ifconfig {GATEWAY_PORT} inet "
                 f"{lab.gateway}/{lab.lan.prefixlen} up",
                 f"jexec {GATEWAY_JAIL} sysctl net.inet.ip.forwarding=1 > /dev/null"):
        _must(host, step)


def _internet(host: Host, lab: Lab) -> None:
    internet = lab.internet
    prefix = internet.network.prefixlen
    for step in (f"ifconfig {WAN_BRIDGE} create",
                 f"ifconfig {WAN_BRIDGE} vnet {GATEWAY_JAIL}",
                 f"jexec {GATEWAY_JAIL} ifconfig {WAN_BRIDGE} name {WAN_PORT} > /dev/null",
                 f"jexec {GATEWAY_JAIL} ifconfig {WAN_PORT} inet "
                 f"{internet.gateway_address}/{prefix} up"):
        _must(host, step)
    for index, machine in enumerate(internet.hosts, start=1):
        jail, pair = host_jail(index), f"epair{FIRST_UNIT + index}"
        for step in (f"ifconfig {pair} create > /dev/null",
                     f"jail -c name={jail} host.hostname={shlex.quote(machine.name)} path=/ persist "
                     f"vnet vnet.interface={pair}b",
                     f"ifconfig {pair}a vnet {GATEWAY_JAIL}",
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
        # ipf -E may find IPFilter already running in the new vnet; either is fine
        host.run(f"jexec {GATEWAY_JAIL} ipf -E")
        _must(host, f"jexec {GATEWAY_JAIL} ipnat -f -", stdin=f"map {WAN_PORT} {lab.lan} -> 0/32\n")
    elif lab.nat == "pf":
        _must(host, f"jexec {GATEWAY_JAIL} pfctl -q -f -",
              stdin=f"nat on {WAN_PORT} from {lab.lan} to any -> ({WAN_PORT})\n")
        _must(host, f"jexec {GATEWAY_JAIL} pfctl -q -e")


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
    lab would take over."""
    shown = host.run("route -n get default")
    current = ""
    for line in shown.stdout.splitlines():
        if line.strip().startswith("gateway:"):
            current = line.split(":", 1)[1].strip()
    client = host.run("echo $SSH_CONNECTION").stdout.split()[:1]
    if current and client:
        path = host.run(["route", "-n", "get", client[0]]).stdout
        if "destination: 0.0.0.0" in path or "destination: default" in path:
            raise LabBuildError(
                f"this ssh session comes from {client[0]} through the box's default route "
                f"({current}); the lab takes that route over (the howto's machine reaches the "
                "internet through the LAN's gateway), which would cut the session. Connect from "
                "a directly attached network (a Vagrant box always does), or give the box a "
                f"host route to {client[0]} first")
    return current


def _take_over(host: Host, lab: Lab, old_gateway: str) -> None:
    resolv = read_file(host, "/etc/resolv.conf")
    write_file(host, f"{RUN}/resolv.conf.saved", resolv or "")
    write_file(host, STATE, f'saved_gateway="{old_gateway}"\nhad_resolv="{resolv is not None}"\n')
    verb = "change" if old_gateway else "add"
    _must(host, f"route {verb} default {lab.gateway} > /dev/null")
    write_file(host, "/etc/resolv.conf", f"# the jailkit lab's name server\nnameserver {lab.gateway}\n")


def _give_back(host: Host, lab: Lab) -> None:
    state = read_file(host, STATE)
    if state is None:
        return
    values = dict(line.split("=", 1) for line in state.splitlines() if "=" in line)
    saved = values.get("saved_gateway", '""').strip('"')
    if saved:
        host.run(f"route change default {saved} > /dev/null")
    else:
        host.run(f"route delete default {lab.gateway} > /dev/null")
    if values.get("had_resolv", '"True"').strip('"') == "True":
        write_file(host, "/etc/resolv.conf", read_file(host, f"{RUN}/resolv.conf.saved") or "")
    else:
        host.run("rm -f /etc/resolv.conf")


# -- taking down --------------------------------------------------------------------

def _take_down(host: Host, lab: Lab) -> None:
    """Jails go first (their daemons with them); interfaces moved into them
    come home and are destroyed with their pairs."""
    _give_back(host, lab)
    count = len(_hosts(lab))
    # Interfaces made on the host but renamed inside a jail would come home
    # under their new names: destroy them where they are first.
    for index in range(count, 0, -1):
        jail = host_jail(index)
        if host.run(["jls", "-j", jail]).succeeded:
            host.run(f"jexec {jail} ifconfig epair{FIRST_UNIT + index}b destroy")
            host.run(["jail", "-r", jail])
    if host.run(["jls", "-j", GATEWAY_JAIL]).succeeded:
        host.run(f"jexec {GATEWAY_JAIL} ifconfig {WAN_PORT} destroy")
        host.run(["jail", "-r", GATEWAY_JAIL])
    names = ([f"epair{FIRST_UNIT + i}a" for i in range(1, count + 1)]
             + [f"epair{FIRST_UNIT + i}b" for i in range(1, count + 1)]
             + [WAN_BRIDGE, WAN_PORT, lab.host.nic, GATEWAY_PORT, f"epair{FIRST_UNIT}a",
                f"epair{FIRST_UNIT}b"])
    present = host.run("ifconfig -l").stdout.split()
    for name in names:
        if name in present and name in host.run("ifconfig -l").stdout.split():
            host.run(f"ifconfig {shlex.quote(name)} destroy")
    host.run(f"rm -rf {RUN}")
    left = [n for n in names if n in host.run("ifconfig -l").stdout.split()]
    jails = [j for j in host.run("jls name").stdout.split() if j.startswith("jk_")]
    if left or jails:
        raise LabBuildError(f"could not take the lab down: {', '.join(left + jails)} "
                            "is still there")
