"""``sim://[?lab=NAME&seed=N&bare=1&client=on-link|routed&provision=SCRIPT]``: a fresh embedded
FreeBSD 14 VIMAGE host with its lab, in this process. Each connect() gives
an independent host.

``bare=1`` boots a fresh FreeBSD Vagrant box (its own uplink, the box's
rc.conf, no module loaded), as a real box is before jailkit builds the lab
on it: such a host does not model the lab, so the pytest plugin builds it
(jailkit.labbuild) with the very commands it uses on real FreeBSD. ``provision=SCRIPT`` (a local file, such as
vagrant/provision.sh) then runs on the box as Vagrant's shell provisioner
runs it at the first ``vagrant up``: uploaded to /tmp/vagrant-shell and
executed as root; a failure is a HostError.

On a bare box the harness's own ssh session is modelled (jailkit.sim.harness):
a TCP connection to the box's sshd from ``client=on-link`` (the default: the
uplink router's address, as Vagrant's NAT shows every connection) or
``client=routed`` (an address behind that router, as a cloud VM's harness
has), through the box's NIC, routes and firewalls. Whatever would cut a real
session ends this host's connection as paramiko's ends: the command that
cut it raises ConnectionLost (its output never comes back: the box's
answers no longer get through), and so does every command after it, which
does not run. The session is looked at after each command, the way the
harness would notice it at the next exchange."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path
from urllib.parse import SplitResult

from ..host import ConnectionLost, Host, HostError, HostTimeout, LoginError, Result
from ..lab import DEFAULT_LAB, Lab, load_lab
from ..sim import CLIENTS, LONGEST, Deadline, LoginShell, Machine, SshRefused
from ..session import Session, Write
from . import HostURLError

OPTIONS = {"lab", "seed", "bare", "client", "provision"}
UPLOAD_PATH = "/tmp/vagrant-shell"   # Vagrant's shell provisioner's upload_path
# Virtual seconds a session's line may run without a terminal (a feature
# step's): ten virtual minutes, which `ping -c 100` or `sleep 300` end within.
NO_TERMINAL_LIMIT = 600.0


class SimHost(Host):
    def __init__(self, lab: Lab, seed: int = 0, url: str = "sim://", bare: bool = False,
                 client: str = "on-link") -> None:
        self.url = url
        self.lab = lab
        self.bare = bare
        self.models_lab = not bare
        self.machine = Machine(lab, seed, bare, client)
        # The machine is in this process and changes only through this
        # host: each way in (a command, a lab machine's command, a login, a
        # session and its lines) counts one more (Host.generation).
        self._changes = 0
        self._waiting: list[Callable[[], None]] = []

    def generation(self) -> int:
        return self._changes

    def before_next_change(self, callback: Callable[[], None]) -> bool:
        self._waiting.append(callback)
        return True

    def _change(self) -> None:
        """Something is about to run on the machine: whoever waits for that
        hears it first, while the machine is as it was (what they run then
        is a change of its own, heard by nobody), then the generation moves on."""
        waiting, self._waiting = self._waiting, []
        failed: BaseException | None = None
        for callback in waiting:
            try:
                callback()
            except BaseException as exc:    # the others must still hear it
                failed = failed or exc
        if failed is not None:
            raise failed        # and what was about to run does not
        self._changes += 1

    @classmethod
    def from_url(cls, url: str, parts: SplitResult, options: dict[str, str],
                 lab: Lab | None = None, **_settings) -> "SimHost":
        unknown = set(options) - OPTIONS
        if unknown or parts.netloc or parts.path not in ("", "/"):
            raise HostURLError(f"{url!r}: sim:// takes only "
                               "?lab=NAME&seed=N&bare=1&client=on-link|routed&provision=SCRIPT")
        seed = options.get("seed", "0")
        if not seed.isdigit():
            raise HostURLError(f"{url!r}: seed must be a number")
        if "lab" in options or lab is None:
            lab = load_lab(options.get("lab") or DEFAULT_LAB)
        client = options.get("client", "on-link")
        if client not in CLIENTS:
            raise HostURLError(f"{url!r}: client is on-link or routed, not {client!r}")
        if "client" in options and options.get("bare") != "1":
            raise HostURLError(f"{url!r}: client= is the harness of a bare box (bare=1)")
        script = _read_script(url, options["provision"]) if "provision" in options else None
        host = cls(lab, int(seed), url, bare=options.get("bare") == "1", client=client)
        if script is not None:
            host.provision(options["provision"], script)
        return host

    def provision(self, name: str, script: str) -> None:
        """Run a provisioning script as root, as ``vagrant up`` does."""
        self.run(f"cat > {UPLOAD_PATH}", stdin=script).check()
        result = self.run(f"chmod +x {UPLOAD_PATH} && {UPLOAD_PATH}")
        if not result.succeeded:
            raise HostError(f"{self.url}: the provisioning script {name} exited with status "
                            f"{result.exit_status}: {(result.stderr or result.stdout).strip()}")

    def _run(self, line: str, stdin: str | None, timeout: float | None) -> tuple[int, str, str]:
        self._change()
        self._connected(line)
        try:
            result = self.machine.run(line, stdin, timeout)
        except Deadline:
            self._survived(line)
            raise HostTimeout(line, timeout if timeout is not None else LONGEST) from None
        self._survived(line)
        return result

    def _run_on(self, machine: str, jail: str, line: str, stdin: str | None,
                timeout: float | None) -> tuple[int, str, str]:
        """On the modelled lab, in the machine's own network stack; a bare
        box has its lab built on it, in jails (Host._run_on)."""
        if not self.models_lab:
            return super()._run_on(machine, jail, line, stdin, timeout)
        self._change()
        try:
            return self.machine.run_on(machine, line, stdin, timeout)
        except Deadline:
            raise HostTimeout(line, timeout if timeout is not None else LONGEST) from None

    def _connected(self, line: str) -> None:
        """Nothing runs once the harness's session is lost."""
        harness = self.machine.harness
        if harness is not None and not harness.established:
            raise ConnectionLost(f"{self.url}: the box's sshd cannot be reached since the box "
                                 f"booted (its network does not carry ssh); {line!r} was not sent")
        if harness is not None and harness.lost:
            raise ConnectionLost(f"{self.url}: the ssh session to the box was cut earlier; "
                                 f"{line!r} was not sent")

    def _survived(self, line: str) -> None:
        """The command that cut the session: its answer never arrives."""
        if not self.machine.session_alive():
            raise ConnectionLost(f"{self.url}: the ssh session to the box was cut while {line!r} "
                                 "ran (the box's network no longer carries it); it may have run")

    def client_address(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """The modelled harness's address as the box sees it; none on the
        modelled lab, where no session is modelled."""
        harness = self.machine.harness
        return harness.address if harness is not None else None

    def login(self, address: str, user: str, password: str, command: str, *,
              port: int = 22, timeout: float | None = None) -> Result:
        self._change()
        self._connected(command)
        try:
            status, out, err = self.machine.ssh_login(address, port, user, password, command,
                                                      timeout)
        except Deadline:
            raise HostTimeout(command, timeout if timeout is not None else LONGEST) from None
        except SshRefused as exc:
            raise LoginError(str(exc)) from None
        finally:
            self._survived(command)
        return Result(command, status, out, err)

    def session(self, jail: str | None = None, *, terminal: bool = False,
                limit: float | None = None) -> Session:
        """A login shell on the sim that lasts (jailkit.sim.session)."""
        self._change()
        return SimSession(self, LoginShell(self.machine, jail, terminal=terminal,
                                           limit=NO_TERMINAL_LIMIT if limit is None else limit))


def _read_script(url: str, path: str) -> str:
    try:
        return Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise HostURLError(f"{url!r}: cannot read the provisioning script {path}: "
                           f"{getattr(exc, 'strerror', None) or exc}") from None


class SimSession(Session):
    """A lasting shell over the harness's session: a line that cuts the
    session is lost with it (ConnectionLost), and none runs after it."""

    def __init__(self, host: SimHost, shell: LoginShell) -> None:
        self.host = host
        self.shell = shell
        self.limit = None if shell.terminal else shell.limit

    def run(self, line: str, *, stdin: str | None = None, out: Write, err: Write) -> int:
        self.host._change()
        self.host._connected(line)
        status = self.shell.run(line, stdin, out, err)
        self.host._survived(line)
        self.ended, self.abandoned = self.shell.ended, self.shell.interrupted
        return status

    def set_status(self, status: int) -> None:
        self.shell.set_status(status)

    def interrupt(self) -> None:
        self.host._change()
        self.shell.interrupt()

    @property
    def cwd(self) -> str:
        return self.shell.cwd
