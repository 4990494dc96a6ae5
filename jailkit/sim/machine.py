"""A whole simulated FreeBSD machine: its kernel, its installed world, and a
way to run commands as root on it, the way a login over ssh would."""

from __future__ import annotations

import ipaddress

from ..lab import Lab
from .daemons import ssh_session
from .kernel import Kernel, Rebooted
from .kernel import Deadline  # noqa: F401  (re-exported for the sim's callers)
from .proc import Buffer, Input, Proc, Sink, root_env
from .vfs import Dir
from .vnet import Vnet
from . import commands  # noqa: F401  (registers the modelled programs)
from . import harness, labnet, world
from .labhosts import LabHost


LONGEST = 86400.0   # virtual seconds a command may run when no timeout is given


class Machine:
    def __init__(self, lab: Lab, seed: int = 0, bare: bool = False,
                 client: str = "on-link") -> None:
        """A host booted in ``lab``; ``bare``: a fresh FreeBSD Vagrant box
        with only its own uplink, before jailkit builds the lab on it (as on
        real hardware). Its base files are system-immutable as installworld
        leaves them. On a bare box the harness's ssh session is modelled
        (jailkit.sim.harness), from where ``client`` says."""
        if client not in harness.CLIENTS:
            raise ValueError(f"the harness is {' or '.join(harness.CLIENTS)}, not {client!r}")
        self.lab = lab
        self.bare = bare
        self.seed = seed
        self.client = client
        self.harness: harness.Harness | None = None
        self.went_down = False      # a reboot ended the session that asked for it
        self.lab_hosts: dict[str, LabHost] = {}     # made when first used
        self.uplink_router: Vnet | None     # a bare box's, made at each boot
        self.kernel = self._new_kernel(None)
        world.install(self.kernel, lab, bare)
        self.console, self.uplink_router = world.power_on(self.kernel, lab, bare)
        self._harness_logs_in()

    def _new_kernel(self, disk: Dir | None) -> Kernel:
        return Kernel(seed=self.seed, hostname=self.lab.host.hostname,
                      release=self.lab.release, disk=disk)

    def reboot(self, shutdown: bool = True) -> None:
        """The machine goes down and boots again: with ``shutdown`` (shutdown
        -r now), init runs /etc/rc.shutdown first; then jails, interfaces,
        processes, mounts, loaded modules, firewall rules, sysctls and the
        kernel environment go; the disk stays, and the loader and rc(8) boot
        it again (a new loader.conf or rc.conf takes effect)."""
        if shutdown:
            proc = Proc(self.kernel, self.kernel.prison0, "/", root_env(), Input(""), Sink(), Sink())
            proc.execvp(["/bin/sh", "/etc/rc.shutdown"])
        clock = self.kernel.clock
        self.harness = None         # the reboot ends the session; the harness logs in again
        self.lab_hosts = {}         # the lab's machines come up again with the host's wires
        self.kernel = self._new_kernel(self.kernel.vfs.root)
        self.kernel.clock = clock
        self.console, self.uplink_router = world.power_on(self.kernel, self.lab, self.bare)
        self._harness_logs_in()

    def went_down_under(self, down: Rebooted) -> None:
        """A command rebooted the machine (reboot(2)): it boots again, and
        the session that ran the command is over."""
        self.reboot(shutdown=down.shutdown)
        self.went_down = True

    def _harness_logs_in(self) -> None:
        """The harness's ssh session to a bare box, once it is up."""
        if not self.bare:
            return
        router = self.uplink_router
        assert router is not None, "a bare box boots with its uplink"
        server = ipaddress.IPv4Interface(world.UPLINK["address"]).ip
        self.harness = harness.attach(self.client, router, server)
        self.harness.connect(self.kernel.host_vnet, self.kernel.clock)

    def session_alive(self) -> bool:
        """Does the harness's ssh session to this box still get through?
        (Always, where it is not modelled.) Not for the command that
        rebooted the box: its session went down with the box (asked once,
        after that command; the next command has a session of its own)."""
        if self.went_down:
            self.went_down = False
            return False
        return self.harness is None or self.harness.alive(self.kernel.host_vnet, self.kernel.clock)

    def login_env(self) -> dict[str, str]:
        """root's environment in the harness's ssh session."""
        env = root_env()
        if self.harness is not None:
            # sshd's do_setup_env() for the harness's session
            env["SSH_CONNECTION"] = self.harness.ssh_connection
        return env

    def run(self, command: str, stdin: str | None = None,
            timeout: float | None = None) -> tuple[int, str, str]:
        """Run a command line with /bin/sh as root on the host, as sshd runs a
        remote command; returns (exit status, stdout, stderr). Raises
        Deadline when it runs longer than ``timeout`` virtual seconds."""
        out, err = Buffer(), Buffer()
        proc = Proc(self.kernel, self.kernel.prison0, "/root", self.login_env(), Input(stdin or ""),
                    out, err)
        # A command that never ends on its own (ping without -c) still stops
        # within a virtual day.
        try:
            with self.kernel.deadline(timeout if timeout is not None else LONGEST):
                status = proc.sh(command)
        except Rebooted as down:
            # the box went down under the command: sshd's channel closes
            # without an exit status (paramiko's -1)
            self.went_down_under(down)
            return -1, out.getvalue(), err.getvalue()
        return status, out.getvalue(), err.getvalue()

    def run_on(self, machine: str, command: str, stdin: str | None = None,
               timeout: float | None = None) -> tuple[int, str, str]:
        """Run a command line as root on the lab's machine named
        ``machine`` (its gateway, an internet host), in its own network
        stack; like run(). Raises KeyError when the lab has no such machine
        (or, on a bare box, before jailkit builds the lab)."""
        if machine not in self.lab_hosts:
            vnet = labnet.machines(self.lab, self.kernel.host_vnet)[machine]
            self.lab_hosts[machine] = LabHost(self.lab, machine, vnet, self.seed)
        seconds = timeout if timeout is not None else LONGEST
        try:
            return self.lab_hosts[machine].run(self.kernel, command, stdin, seconds)
        except Rebooted:
            # the lab's machines are modelled up, never going down
            return 1, "", (f"jailkit sim: {machine} does not reboot: the lab's machines are "
                           "not modelled going down\n")

    def ssh_login(self, address: str, port: int, user: str, password: str, command: str,
                  timeout: float | None = None) -> tuple[int, str, str]:
        """An ssh login from the host's stack to address:port, as the
        harness makes one through a real box; raises SshRefused."""
        with self.kernel.deadline(timeout if timeout is not None else LONGEST):
            return ssh_session(self.kernel, self.kernel.host_vnet, address, port, user, password, command)
