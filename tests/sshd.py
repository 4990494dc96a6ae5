"""Real OpenSSH sshd instances on 127.0.0.1, started by the tests (and the
benchmark): a random free port, a fresh host key and user key, and a user
whose shell is /bin/sh (a dedicated one when running as root)."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

PROJECT = Path(__file__).resolve().parents[1]
TEST_USER = "jailkit-test"
# A user who logs in with a password (jail users do), made when running as root.
PASSWORD_USER = "jailkit-login"


def sshd_path() -> str:
    found = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)
    if found is None:
        raise RuntimeError("OpenSSH sshd is not installed; `make test` installs it as root "
                           "(apt-get install openssh-server)")
    return found


def login_user() -> str:
    """Root logs the tests in as a user whose shell is /bin/sh (root's own
    shell may read slow start-up files); anyone else as themselves."""
    if os.geteuid() != 0:
        return getpass.getuser()
    if subprocess.run(["id", TEST_USER], capture_output=True).returncode != 0:
        # Password "*": no password works, yet the account is not locked
        # ("!"), which sshd without PAM would refuse even for keys.
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", "-p", "*", TEST_USER], check=True)
    return TEST_USER


def password_user() -> tuple[str, str] | None:
    """(name, password) of a user whose password sshd accepts; root only can
    make one. A new password every run."""
    if os.geteuid() != 0:
        return None
    if subprocess.run(["id", PASSWORD_USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", PASSWORD_USER], check=True)
    password = os.urandom(9).hex()
    subprocess.run(["chpasswd"], input=f"{PASSWORD_USER}:{password}\n".encode(), check=True)
    return PASSWORD_USER, password


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


@dataclass
class Sshd:
    port: int
    user: str
    key: Path
    known_hosts: Path
    workdir: Path
    process: subprocess.Popen
    password_login: tuple[str, str] | None = None

    def url(self, **options: str) -> str:
        query = {"key": str(self.key), "known_hosts": str(self.known_hosts), **options}
        return f"ssh://{self.user}@127.0.0.1:{self.port}?{urlencode(query)}"

    def host_key_line(self) -> str:
        return self.known_hosts.read_text().strip()

    def drop_connections(self) -> None:
        """Kill every per-connection sshd process and what runs under it:
        every client is cut off."""
        for pid in _descendants(self.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        self.drop_connections()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def start_sshd(sim: bool = False) -> Sshd:
    """An sshd; with ``sim`` its ForceCommand is a persistent bare sim
    (jailkit.sim.serve), else the user's own shell runs the commands."""
    user = login_user()
    password_login = None if sim else password_user()
    allowed = user + (f" {password_login[0]}" if password_login else "")
    workdir = Path(tempfile.mkdtemp(prefix="jailkit-sshd-"))
    os.chmod(workdir, 0o755)   # the login user reads authorized_keys here
    host_public = keygen(workdir / "host_ed25519")
    client_public = keygen(workdir / "client_ed25519")
    (workdir / "authorized_keys").write_text(client_public + "\n")
    os.chmod(workdir / "authorized_keys", 0o644)
    port = free_port()
    known_hosts = workdir / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {' '.join(host_public.split()[:2])}\n")
    lines = [f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {workdir}/host_ed25519",
             f"PidFile {workdir}/sshd.pid", f"AuthorizedKeysFile {workdir}/authorized_keys",
             "StrictModes no", "UsePAM no", "PasswordAuthentication yes",
             "KbdInteractiveAuthentication no", "PermitRootLogin yes", f"AllowUsers {allowed}",
             "Subsystem sftp internal-sftp", "LogLevel ERROR", "PrintMotd no", "PrintLastLog no",
             "MaxStartups 100"]
    if sim:
        state = workdir / "sim"
        state.mkdir()
        shutil.chown(state, user) if os.geteuid() == 0 else None
        # The login user cannot reach a Python under /root: use the system's.
        python = "/usr/bin/python3" if os.geteuid() == 0 else sys.executable
        lines.append(f"ForceCommand env PYTHONPATH={PROJECT} PYTHONPYCACHEPREFIX={state}/pycache "
                     f"{python} -m jailkit.sim.serve {state}/host.pickle --bare "
                     # TEMPORARY (issue 8): qjail's copies of schg files cannot
                     # be removed yet; the box keeps its flags once they can.
                     "--no-schg")
    (workdir / "sshd_config").write_text("\n".join(lines) + "\n")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", exist_ok=True)
    process = subprocess.Popen([sshd_path(), "-D", "-e", "-f", str(workdir / "sshd_config")],
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited: {process.stderr.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError("sshd did not start listening within 10 s")
    return Sshd(port, user, workdir / "client_ed25519", known_hosts, workdir, process, password_login)
