"""qjail's maximum of 254 vnet jails on bridge10, on the sim, beside the same
topology built for real with Linux network namespaces, in one run.

    .venv/bin/python benchmarks/vnet_jails.py [--jails N] [--builds N] [--samples N]
                                              [--lab LAB] [--no-namespaces]

The sim (sim://, by default the qjail-vnet lab on a /22 LAN; --lab names
another, and one whose LAN has no room for the jails' addresses stops with
an error naming it): qjail install; for each jail ``qjail create -4
ADDR``, ``qjail config -w NIC -v none``, ``qjail start``; ``qjail list``;
``jexec JAIL ping -c 1 GATEWAY`` from each, every outcome checked. Timed
at half the jails and at all of them, wall clock and the CPU time of this
process (the machine may be shared): t(N) and t(N)/t(N/2), 2.0 being
linear, and the CPU time of each phase (create, config, start, list,
ping: whose code to look at when one grows faster). Each is the median of
--builds builds (3), the sim's and the namespaces' taking turns, so that a
machine whose speed drifts (a shared or virtual one) slows both; the ratio
the target is held to is the median of each build pair's own CPU ratio,
the half and the full build of a pair run back to back, in turns which
first (a drift within a pair then raises one ratio and lowers the next,
where a ratio of two medians takes each from a different moment), and
beside it the ratio of the Python calls the two builds make (cProfile),
the sim's work without the machine's moods; then the
cost of a few commands on a host with 1 jail and with N (their mounts and
interfaces counted), and the peak memory of a fresh process that builds
N jails (ru_maxrss; tracemalloc's peak in another).

Linux (as root, with ip(8) and ping(8)): one Linux bridge and, for each
jail, a network namespace, a veth pair with one end on the bridge and the
other in the namespace, an address on it, and a ping from the namespace to
the bridge's address, each step one ip(8) or ping(8) command as a shell
script would run them. The bridge lives in a namespace of its own too, so
the machine's own network is never touched; addresses are in 127.88.0.0/23
(route_localnet lets 127/8 travel over the bridge), with no route to
anywhere else. Everything made is named ``jkbench-*`` and removed whatever
happens (an error, Ctrl-C); only names with that prefix are ever removed.
Without root, ip netns or ping, it says so and runs the sim half alone.

Targets (issue 14): the sim's N=254 run at most 1.5 s, t(254)/t(127) at
most 2.1, a command's cost the same with 1 and with 254 jails, peak memory
at most 64 MB, and at least 3 times faster than the namespaces."""

from __future__ import annotations

import argparse
import cProfile
import gc
import ipaddress
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402

import jailkit  # noqa: E402
from jailkit.host import Host  # noqa: E402
from jailkit.lab import Lab, LabError, lab_path, load_lab, parse_lab  # noqa: E402
from jailkit.qjail import Qjail  # noqa: E402

MAX_JAILS = 254         # qjail's maximum of vnet jails (qjail.vnetctl)
# The lab: the default lab's machine on a LAN with room for 254 jails.
LAN = "10.0.0.0/22"
HOST_ADDRESS = "10.0.0.2/22"
GATEWAY = "10.0.0.1"
# Commands whose cost must not grow with the number of jails, mounts and
# interfaces; JAIL is the first jail.
PROBES = ["cat /etc/rc.conf", "ls /usr/local/etc/qjail.local/JAIL", "ifconfig lo0",
          "test -e /usr/jails/JAIL/etc/rc.conf", "jls -j JAIL jid",
          f"jexec JAIL ping -c 1 {GATEWAY}"]
# How much dearer a probe may be with all the jails and still count as the
# same cost: medians of interleaved runs still differ by a few percent, while
# a cost that grows with the jails is hundreds of times dearer at 254.
SAME_COST = 1.25
PREFIX = "jkbench"
NETNS_HOST = f"{PREFIX}-br"     # the namespace that holds the bridge
BRIDGE = f"{PREFIX}0"
NETNS_NET = ipaddress.IPv4Network("127.88.0.0/23")


# -- the sim --------------------------------------------------------------------
def scale_lab(name: str | None = None) -> Lab:
    """The lab ``name``, or by default the default lab with a LAN large
    enough for the jails' addresses."""
    if name is not None:
        return load_lab(name)
    data = yaml.safe_load(lab_path("qjail-vnet").read_text())
    data["name"] = "qjail-vnet-254"
    data["lan"].update(network=LAN, gateway=GATEWAY)
    data["host"]["address"] = HOST_ADDRESS
    return parse_lab(data, source="benchmarks/vnet_jails.py")


def jail_name(number: int) -> str:
    return f"v{number}"


PHASES = ("create", "config", "start", "list", "ping")


def build(lab: Lab, count: int, addresses: list[str],
          phases: dict[str, float] | None = None) -> Host:
    """The scenario on a fresh sim: every outcome is checked, so a fast but
    wrong run cannot pass for a fast one. ``phases``, when given, gets the
    CPU seconds of each phase (PHASES) added up."""
    spent = phases if phases is not None else {}
    host = jailkit.connect("sim://", lab=lab)
    qjail = Qjail(host)
    expect(qjail.command(["qjail", "install"]).output, "Successfully installed")
    nic = lab.host.nic
    for number in range(1, count + 1):
        name = jail_name(number)
        expect(phase(spent, "create", lambda: qjail.command(
            ["qjail", "create", "-4", addresses[number - 1], name]).output),
            f"Successfully created  {name}")
        expect(phase(spent, "config", lambda: qjail.command(
            ["qjail", "config", "-w", nic, "-v", "none", name]).output),
            f"Successfully enabled vnet for {name}")
        expect(phase(spent, "start", lambda: qjail.command(["qjail", "start", name]).output),
               f"Jail successfully started  {name}")
    listing = phase(spent, "list", lambda: qjail.command(["qjail", "list"]).output)
    if listing.count(f" {nic} ") != count:
        raise SystemExit(f"qjail list shows {listing.count(f' {nic} ')} jails, not {count}")
    for number in range(1, count + 1):
        ping = phase(spent, "ping", lambda: host.run(
            ["jexec", jail_name(number), "ping", "-c", "1", str(lab.gateway)]).stdout)
        expect(ping, "1 packets received")
    return host


def phase(spent: dict[str, float], name: str, action: Callable[[], str]) -> str:
    """``action``'s output; its CPU seconds added to ``spent[name]``."""
    started = time.process_time()
    output = action()
    spent[name] = spent.get(name, 0.0) + time.process_time() - started
    return output


def expect(output: str, wanted: str) -> None:
    if wanted not in output:
        raise SystemExit(f"expected {wanted!r}, got:\n{output}")


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process: the sim runs in it) of
    ``action``; the CPU time does not count other programs on the machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def probe_costs(few: Host, many: Host, samples: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median milliseconds of each probe command on ``few`` and on ``many``,
    the two hosts taking turns sample by sample (which goes first turns
    too), so that a machine whose speed drifts slows both alike."""
    costs: tuple[dict[str, float], dict[str, float]] = ({}, {})
    for probe in PROBES:
        line = probe.replace("JAIL", jail_name(1))
        runs: tuple[list[float], list[float]] = ([], [])
        for host in (few, many):
            host.run(line).check()
        for sample in range(samples):
            for which in ((0, 1) if sample % 2 == 0 else (1, 0)):
                host = (few, many)[which]
                started = time.perf_counter()
                host.run(line)
                runs[which].append((time.perf_counter() - started) * 1000)
        for which in (0, 1):
            costs[which][probe] = statistics.median(runs[which])
    return costs


def size(host: Host) -> str:
    """How many jails run on the host, and its mounts and interfaces."""
    jails = len(host.run("jls jid").stdout.split())
    mounts = len(host.run("mount").stdout.splitlines())
    interfaces = len(host.run("ifconfig -l").stdout.split())
    return f"{jails} running, {mounts} mounts, {interfaces} interfaces"


def peak_memory(count: int, lab: str | None) -> tuple[float, float]:
    """The peaks of fresh Python processes that build ``count`` jails, in
    MiB: the resident set (getrusage's ru_maxrss, the interpreter and
    jailkit included), and the peak of the allocations made while building
    (tracemalloc, in a process of its own: tracing costs memory too)."""
    figures = []
    for what in ("rss", "traced"):
        argv = [sys.executable, __file__, "--memory-of", str(count), "--memory", what]
        child = subprocess.run(argv + (["--lab", lab] if lab else []), capture_output=True,
                               text=True, check=True)
        figures.append(float(child.stdout))
    return figures[0], figures[1]


def memory_of(count: int, what: str, lab: Lab) -> None:
    """The child of peak_memory: build, then print the figure."""
    addresses = [str(a) for a in lab.jail_addresses(count)]
    if what == "traced":
        tracemalloc.start()
        build(lab, count, addresses)
        print(f"{tracemalloc.get_traced_memory()[1] / 2**20:.1f}")
        return
    build(lab, count, addresses)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in KiB on Linux and the BSDs, in bytes on macOS
    print(f"{maxrss / (2**20 if sys.platform == 'darwin' else 2**10):.1f}")


def sim_build_timed(count: int, lab: Lab, addresses: list[str], half_first: bool) -> dict:
    """One build of ``count`` jails and one of half as many, one right
    after the other (which goes first alternates from run to run, so that
    a machine speeding up or slowing down favours neither): wall and CPU
    seconds, the CPU of each phase, and the pair's CPU ratio."""
    phases_half: dict[str, float] = {}
    phases_full: dict[str, float] = {}
    if half_first:
        wall_half, cpu_half = timed_build(lab, count // 2, addresses, phases_half)
        wall_full, cpu_full = timed_build(lab, count, addresses, phases_full)
    else:
        wall_full, cpu_full = timed_build(lab, count, addresses, phases_full)
        wall_half, cpu_half = timed_build(lab, count // 2, addresses, phases_half)
    return {"t_half": wall_half, "t_full": wall_full, "cpu_half": cpu_half, "cpu_full": cpu_full,
            "cpu_ratio": cpu_full / cpu_half, "phases_half": phases_half,
            "phases_full": phases_full}


def timed_build(lab: Lab, count: int, addresses: list[str],
                phases: dict[str, float]) -> tuple[float, float]:
    """A build timed from a clean heap, its host kept until the clock has
    stopped: a machine is a graph of cycles, which the collector would
    otherwise free in the middle of the next build, on its clock."""
    gc.collect()
    hosts: list[Host] = []
    spent = timed(lambda: hosts.append(build(lab, count, addresses, phases)))
    hosts.clear()
    gc.collect()
    return spent


def medians(runs: list[dict]) -> dict:
    """The median of each figure over ``runs`` (phases figure by figure)."""
    merged: dict = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            merged[key] = {name: statistics.median(run[key][name] for run in runs) for name in value}
        else:
            merged[key] = statistics.median(run[key] for run in runs)
    return merged


def sim_costs(count: int, samples: int, lab: Lab, lab_name: str | None) -> dict:
    """The probes on a host with 1 jail and with ``count``, the peak
    memory, and the Python calls a build makes at half and all the jails."""
    addresses = [str(a) for a in lab.jail_addresses(count)]
    small, many = build(lab, 1, addresses), build(lab, count, addresses)
    few_costs, many_costs = probe_costs(small, many, samples)
    return {"half": count // 2, "samples": samples, "few": few_costs,
            "many": many_costs, "few_size": size(small),
            "many_size": size(many), "peak": peak_memory(count, lab_name),
            "calls": (calls_made(lab, count // 2, addresses), calls_made(lab, count, addresses))}


def calls_made(lab: Lab, count: int, addresses: list[str]) -> int:
    """The Python function calls of one build of ``count`` jails: the
    sim's work, counted (cProfile), where a clock also counts the machine."""
    profile = cProfile.Profile()
    profile.runcall(build, lab, count, addresses)
    return sum(entry.callcount for entry in profile.getstats())


# -- Linux network namespaces ------------------------------------------------------
def netns_unavailable() -> str | None:
    """Why the namespace half cannot run here, or None."""
    if os.geteuid() != 0:
        return "not root"
    if shutil.which("ip") is None:
        return "no ip(8)"
    if shutil.which("ping") is None:
        return "no ping(8)"
    if subprocess.run(["ip", "netns", "list"], capture_output=True).returncode != 0:
        return "ip(8) has no netns"
    return None


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def netns_build(count: int) -> None:
    """The topology, one command at a time."""
    addresses = list(NETNS_NET.hosts())
    bridge_address = f"{addresses[0]}/{NETNS_NET.prefixlen}"
    ip("netns", "add", NETNS_HOST)
    localnet(NETNS_HOST)
    ip("-n", NETNS_HOST, "link", "add", BRIDGE, "type", "bridge")
    ip("-n", NETNS_HOST, "addr", "add", bridge_address, "dev", BRIDGE)
    ip("-n", NETNS_HOST, "link", "set", BRIDGE, "up")
    for number in range(1, count + 1):
        netns, a_end, b_end = f"{PREFIX}-j{number}", f"{PREFIX}-{number}a", f"{PREFIX}-{number}b"
        ip("netns", "add", netns)
        localnet(netns)
        ip("-n", NETNS_HOST, "link", "add", a_end, "type", "veth", "peer", "name", b_end,
           "netns", netns)
        ip("-n", NETNS_HOST, "link", "set", a_end, "master", BRIDGE, "up")
        ip("-n", netns, "addr", "add", f"{addresses[number + 255]}/{NETNS_NET.prefixlen}",
           "dev", b_end)
        ip("-n", netns, "link", "set", b_end, "up")
    for number in range(1, count + 1):
        ping_from(f"{PREFIX}-j{number}", str(addresses[0]))


def ping_from(netns: str, address: str) -> None:
    """One ping from ``netns`` to ``address``, sent again once when it
    gets no answer: on this project's machines a namespace's first ping
    past some 128 on one bridge is now and then lost (a second one is
    answered at once), and one lost packet is not a failed build."""
    argv = ["ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", address]
    if subprocess.run(argv, capture_output=True).returncode != 0:
        subprocess.run(argv, check=True, capture_output=True)


def localnet(netns: str) -> None:
    """127/8 addresses on an Ethernet link: route_localnet in the namespace
    (ip-sysctl.rst), for interfaces made there later too."""
    subprocess.run(["ip", "netns", "exec", netns, "sh", "-c",
                    "echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet && "
                    "echo 1 > /proc/sys/net/ipv4/conf/default/route_localnet"],
                   check=True, capture_output=True)


def netns_cleanup() -> None:
    """Remove every namespace named jkbench-*: the veths and the bridge go
    with their namespaces. Only this benchmark's prefix is ever removed."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in listed.splitlines():
        name = line.split()[0] if line.split() else ""
        if name.startswith(f"{PREFIX}-"):
            subprocess.run(["ip", "netns", "delete", name], capture_output=True)


def netns_timed(count: int) -> float:
    """Wall-clock seconds of the build (the work is in ip, ping and the
    kernel, not in this process)."""
    try:
        netns_cleanup()     # what an interrupted earlier run may have left
        return timed(lambda: netns_build(count))[0]
    finally:
        # a second Ctrl-C must not stop the cleanup half-way
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            netns_cleanup()
        finally:
            signal.signal(signal.SIGINT, previous)


def netns_build_timed(count: int) -> dict[str, float]:
    return {"t_half": netns_timed(count // 2), "t_full": netns_timed(count)}


# -- the report ---------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jails", type=int, default=MAX_JAILS)
    parser.add_argument("--builds", type=int, default=3, help="builds of each size (median)")
    parser.add_argument("--samples", type=int, default=50, help="runs of each probe command")
    parser.add_argument("--no-namespaces", action="store_true")
    parser.add_argument("--lab", help="a lab (name or file) whose LAN has room for the jails "
                                      "(default: qjail-vnet on 10.0.0.0/22)")
    parser.add_argument("--memory-of", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory", choices=("rss", "traced"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.memory_of:
        return memory_of(options.memory_of, options.memory, scale_lab(options.lab))
    count = options.jails
    if not 2 <= count <= MAX_JAILS:
        parser.error(f"--jails is 2 to {MAX_JAILS}")
    try:
        lab = scale_lab(options.lab)
        lab.jail_addresses(count)
    except LabError as exc:
        raise SystemExit(f"vnet_jails: {exc}") from None
    if options.builds < 1:
        parser.error("--builds is at least 1")
    addresses = [str(a) for a in lab.jail_addresses(count)]
    build(lab, 2, addresses)    # warm up: imports, the first parse of each script
    why = "--no-namespaces" if options.no_namespaces else netns_unavailable()
    sim_runs, netns_runs = [], []
    for run in range(options.builds):
        sim_runs.append(sim_build_timed(count, lab, addresses, half_first=run % 2 == 0))
        if why is None:
            netns_runs.append(netns_build_timed(count))
    sim = medians(sim_runs) | sim_costs(count, options.samples, lab, options.lab)
    sim["builds"] = options.builds
    report(count, sim, medians(netns_runs) if netns_runs else None, why)


def report(count: int, sim: dict, real: dict | None, why: str | None) -> None:
    half = sim["half"]
    print(f"{count} vnet jails on bridge10: qjail install; create -4, config -w NIC -v none, "
          f"start each; qjail list; ping the gateway from each (median of {sim['builds']} builds)")
    print(f"{'':34} {f't({half}) s':>9} {f't({count}) s':>9} {'ratio':>6}")
    rows = [("sim://, wall clock", sim["t_half"], sim["t_full"]),
            ("sim://, CPU of the process", sim["cpu_half"], sim["cpu_full"])]
    if real is not None:
        rows.append(("Linux netns + ip(8), wall clock", real["t_half"], real["t_full"]))
    for label, t_half, t_full in rows:
        print(f"{label:34} {t_half:9.2f} {t_full:9.2f} {t_full / t_half:6.2f}")
    label = "sim://, CPU, median of each pair's ratio"
    print(f"{label:54} {sim['cpu_ratio']:6.2f}")
    calls_half, calls_full = sim["calls"]
    print(f"{'sim://, Python calls made (millions)':34} {calls_half / 1e6:9.2f} "
          f"{calls_full / 1e6:9.2f} {calls_full / calls_half:6.2f}")
    if real is None:
        print(f"Linux netns + ip(8): skipped ({why})")
    print(f"\nCPU s of each phase, all jails' commands {'':2} {f't({half})':>9} "
          f"{f't({count})':>9} {'ratio':>6} {f'ms/jail at {count}':>14}")
    for name in PHASES:
        t_half, t_full = sim["phases_half"][name], sim["phases_full"][name]
        label = "jexec JAIL ping" if name == "ping" else f"qjail {name}"
        print(f"  {label:<40} {t_half:9.3f} {t_full:9.3f} {t_full / t_half:6.2f} "
              f"{1000 * t_full / count:14.2f}")
    print(f"\na command's cost (median ms of {sim['samples']} runs) on a host with")
    print(f"  1 vnet jail: {sim['few_size']}; {count} vnet jails: {sim['many_size']}")
    print(f"{'':40} {'1':>8} {str(count):>8} {'ratio':>6}")
    for probe in PROBES:
        few, many = sim["few"][probe], sim["many"][probe]
        print(f"{probe:40} {few:8.3f} {many:8.3f} {many / few:6.2f}")
    rss, traced = sim["peak"]
    print(f"\npeak memory of a process building {count} jails: {rss:.1f} MiB resident "
          f"(ru_maxrss), {traced:.1f} MiB allocated while building (tracemalloc)")
    verdicts = [(f"t({count}) <= 1.5 s (wall)", sim["t_full"] <= 1.5),
                (f"t({count})/t({half}) <= 2.1 (CPU, median of the builds' own ratios)",
                 sim["cpu_ratio"] <= 2.1),
                (f"a command's cost independent of the jails (each at most "
                 f"{SAME_COST:g} times its cost with 1)",
                 all(sim["many"][p] <= SAME_COST * sim["few"][p] for p in PROBES)),
                ("peak memory <= 64 MB", rss * 2**20 <= 64e6)]
    if real is not None:
        verdicts.append(("sim at least 3 times faster than netns (wall)",
                         real["t_full"] >= 3 * sim["t_full"]))
    for what, met in verdicts:
        print(f"target {what}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
