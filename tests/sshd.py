"""Real OpenSSH sshd instances on 127.0.0.1, started by the tests (and the
benchmark): a random free port, a fresh host key and user key, and a user
whose shell is /bin/sh (in front of the sim, its forced command).

Run as root, each sshd gets Unix users of its own, made for it and removed
when it stops, homes included (they live in its temporary directory): one
logging in with the key, one with a password (jail users do). Their comment
names the process that made them, and so does a file in the sshd's
directory, so what a run that died left (killed, crashed; a test worker
killed) is found and removed, users, sshd and processes, when the next run
starts its first sshd and when a run with workers ends; a run never touches
what another run still going made. Anyone else logs in as themselves and
needs no user. Test workers run side by side: each sshd has a port, users
and a directory of its own."""

from __future__ import annotations

import atexit
import getpass
import hashlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

PROJECT = Path(__file__).resolve().parents[1]
MARK = "jailkit tests, pid "   # the comment of each user the tests make, then the maker's pid
WORKDIR_PREFIX = "jailkit-sshd-"
MAKER = "maker"      # in an sshd's directory: the pid of the process that made it


def sshd_path() -> str:
    found = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)
    if found is None:
        raise RuntimeError("OpenSSH sshd is not installed; `make test` installs it as root "
                           "(apt-get install openssh-server)")
    return found


# -- users ------------------------------------------------------------------------------------
def _account_tool(argv: list[str], stdin: str | None = None) -> None:
    """useradd, userdel or chpasswd; another run may hold the passwd lock
    for a moment, so a locked file is tried again."""
    for _ in range(100):
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True)
        if done.returncode == 0:
            return
        if "lock" not in done.stderr and "currently used" not in done.stderr:
            break
        time.sleep(0.1)
    raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip()}")


def _make_user(kind: str, home: Path, password: str | None, users: list[str],
               shell: str = "/bin/sh") -> str:
    """A user of this run with its home at ``home`` (made here, its own);
    without a password it logs in by key only: "*" matches no password yet
    does not lock the account ("!"), which sshd without PAM would refuse.
    Its name goes on ``users`` first: interrupted while useradd runs, the
    run removes it too if it came to be."""
    name = f"jailkit-{kind}-{os.urandom(3).hex()}"
    users.append(name)
    home.mkdir(mode=0o755)
    _account_tool(["useradd", "-M", "-d", str(home), "-s", shell, "-c", f"{MARK}{os.getpid()}",
                   *(["-p", "*"] if password is None else []), name])
    shutil.chown(home, user=name)
    if password is not None:
        _account_tool(["chpasswd"], f"{name}:{password}\n")
    return name


def _remove_user(name: str) -> None:
    """The user, its processes and its group; its home goes with its
    sshd's directory."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    _kill(_processes_of(uid))
    try:
        _account_tool(["userdel", name])
    except RuntimeError:
        if _exists(name):
            raise        # else another run's sweep removed it meanwhile


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _processes_of(uid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Uid:") and int(line.split()[1]) == uid:
                found.append(int(entry.name))
    return found


def _kill(pids: list[int], sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def sweep_leftovers() -> None:
    """Remove what a run that died left: its users (their comment names a
    process that is gone), the sshd it started and its directory."""
    if os.geteuid() == 0:
        _sweep_users()
    for workdir in Path(tempfile.gettempdir()).glob(WORKDIR_PREFIX + "*"):
        try:
            maker = int((workdir / MAKER).read_text())
        except (OSError, ValueError):
            continue     # not one of ours, or still being made
        if not _alive(maker):
            _stop_stale_sshd(workdir)
            shutil.rmtree(workdir, ignore_errors=True)


def _sweep_users() -> None:
    for entry in pwd.getpwall():
        maker = entry.pw_gecos.removeprefix(MARK)
        if maker == entry.pw_gecos or not maker.isdigit() or _alive(int(maker)):
            continue
        workdir = Path(entry.pw_dir).parent
        if workdir.name.startswith(WORKDIR_PREFIX):
            _stop_stale_sshd(workdir)
        _remove_user(entry.pw_name)
        if workdir.name.startswith(WORKDIR_PREFIX):
            shutil.rmtree(workdir, ignore_errors=True)


def _stop_stale_sshd(workdir: Path) -> None:
    """The sshd of a dead run, known by its pid file and its command line."""
    try:
        pid = int((workdir / "sshd.pid").read_text())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if str(workdir / "sshd_config").encode() in command:
        _kill([pid, *_descendants(pid)])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


@dataclass(eq=False)
class Sshd:
    port: int
    user: str
    key: Path
    known_hosts: Path
    workdir: Path
    scratch: Path        # a directory the login user may write in; removed with the rest
    process: subprocess.Popen
    password_login: tuple[str, str] | None = None
    users: list[str] = field(default_factory=list)   # made for this sshd, removed with it
    sim: subprocess.Popen | None = None   # the persistent sim behind it (jailkit.sim.serve)

    def url(self, *, via: str = "127.0.0.1", **options: str) -> str:
        """The URL of this sshd, reached at ``via`` (127.0.0.1 or ::1)."""
        query = {"key": str(self.key), "known_hosts": str(self.known_hosts), **options}
        where = f"[{via}]" if ":" in via else via
        return f"ssh://{self.user}@{where}:{self.port}?{urlencode(query)}"

    def host_key_line(self) -> str:
        """The known_hosts line of 127.0.0.1."""
        return self.known_hosts.read_text().splitlines()[0]

    def drop_connections(self) -> None:
        """Kill every per-connection sshd process and what runs under it:
        every client is cut off."""
        _kill(_descendants(self.process.pid))

    def freeze(self) -> None:
        """SIGSTOP the daemon and every process under it, as a frozen box
        would be. The listener alone is not enough: each connection has sshd
        processes of its own (in a session of their own, so the daemon's
        process group would not reach them), and the commands they run.
        Stopped from the top down until no new process appears."""
        stopped: set[int] = set()
        while pids := {self.process.pid, *_descendants(self.process.pid)} - stopped:
            _kill(sorted(pids), signal.SIGSTOP)
            stopped |= pids

    def thaw(self) -> None:
        _kill([self.process.pid, *_descendants(self.process.pid)], signal.SIGCONT)

    def restart(self) -> None:
        """Kill sshd and everything under it, as a crash would, and start
        it again on the same port with the same keys."""
        self.drop_connections()
        self.process.kill()
        self.process.wait()
        with (self.workdir / "sshd.log").open("ab") as log:
            self.process = subprocess.Popen(self.process.args, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=log)
        _wait_listening(self.process, self.port, self.workdir)

    def stop(self) -> None:
        if self not in _running:
            return
        self.drop_connections()
        self.thaw()       # a stopped daemon would not act on TERM
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.sim is not None:
            _stop_sim(self.sim)
        for user in self.users:
            _remove_user(user)
        shutil.rmtree(self.workdir, ignore_errors=True)
        _running.remove(self)


_running: list[Sshd] = []


@atexit.register
def _stop_forgotten() -> None:
    """A session that ends with an sshd still running (a test that did not
    stop its own) stops it here, users and files included."""
    for server in list(_running):
        server.stop()


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


_swept = False


def start_sshd(sim: bool = False, max_sessions: int | None = None,
               client: str = "on-link") -> Sshd:
    """An sshd; with ``sim`` its ForceCommand hands each command to one
    persistent bare sim (jailkit.sim.serve, started and stopped with the
    sshd) whose harness is ``client``, else the user's own
    shell runs the commands. ``max_sessions`` is its MaxSessions (OpenSSH's
    default is 10)."""
    global _swept
    if not _swept:
        sweep_leftovers()
        _swept = True
    workdir = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX))
    os.chmod(workdir, 0o755)   # the login user reads authorized_keys here
    (workdir / MAKER).write_text(str(os.getpid()))
    users: list[str] = []
    try:
        server = _start(workdir, users, sim, max_sessions, client)
    except BaseException:
        for user in users:
            _remove_user(user)
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    _running.append(server)
    return server


def _start(workdir: Path, users: list[str], sim: bool, max_sessions: int | None,
           client: str) -> Sshd:
    password_login = None
    if os.geteuid() == 0:
        # Root's own shell may read slow start-up files: a user of our own.
        # In front of the sim, its shell is the forced command itself, which
        # sshd runs as `SHELL -c FORCECOMMAND` (serve_client.c takes that
        # form): no sh starts for each command.
        shell = str(workdir / "serve-client") if sim else "/bin/sh"
        user = _make_user("test", workdir / "home", None, users, shell)
        scratch = workdir / "home"
        if not sim:
            password = os.urandom(9).hex()
            name = _make_user("login", workdir / "login", password, users)
            password_login = (name, password)
    else:
        user = getpass.getuser()
        scratch = workdir / "scratch"
        scratch.mkdir()
    host_public = keygen(workdir / "host_ed25519")
    client_public = keygen(workdir / "client_ed25519")
    (workdir / "authorized_keys").write_text(client_public + "\n")
    os.chmod(workdir / "authorized_keys", 0o644)
    lines = ["ListenAddress 127.0.0.1", "ListenAddress ::1",
             f"HostKey {workdir}/host_ed25519",
             f"PidFile {workdir}/sshd.pid", f"AuthorizedKeysFile {workdir}/authorized_keys",
             "StrictModes no", "UsePAM no", "PasswordAuthentication yes",
             "KbdInteractiveAuthentication no", "PermitRootLogin yes",
             f"AllowUsers {user}{f' {password_login[0]}' if password_login else ''}",
             "Subsystem sftp internal-sftp", "LogLevel ERROR", "PrintMotd no", "PrintLastLog no",
             "MaxStartups 100"]
    if max_sessions is not None:
        lines.append(f"MaxSessions {max_sessions}")
    simulated = _start_sim(workdir, user, client) if sim else None
    if simulated is not None:
        lines.append(f"ForceCommand {workdir}/serve-client {workdir}/sim/sim.sock")
    try:
        port, process = _listen(workdir, lines, ' '.join(host_public.split()[:2]), sim)
    except BaseException:
        if simulated is not None:
            _stop_sim(simulated)
        raise
    return Sshd(port, user, workdir / "client_ed25519", workdir / "known_hosts", workdir, scratch,
                process, password_login, users, simulated)


class _PortTaken(Exception):
    """Another process took the port between free_port() and sshd's bind."""


def _listen(workdir: Path, config: list[str], host_key: str, sim: bool) -> tuple[int, subprocess.Popen]:
    """sshd with ``config`` on a free port, and the known_hosts line of its
    key; on another port when some other process (another test worker's
    sshd or connection) took the first one meanwhile."""
    for _ in range(5):
        port = free_port()
        # both loopbacks: a client over IPv6 is one the harness must know too
        (workdir / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key}\n[::1]:{port} {host_key}\n")
        (workdir / "sshd_config").write_text("\n".join([f"Port {port}", *config]) + "\n")
        try:
            return port, _run_sshd(workdir, port, sim)
        except _PortTaken:
            continue
    raise RuntimeError("sshd found no free port in 5 tries")


def _run_sshd(workdir: Path, port: int, sim: bool) -> subprocess.Popen:
    """sshd; in front of the sim, its connections go through it (env(1)
    sets the preload and execs sshd: the same process, kept by restart())."""
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", exist_ok=True)
    preload = ["env", f"LD_PRELOAD={workdir}/serve-connect.so",
               f"JAILKIT_TUNNEL={workdir}/sim/tunnel.sock"] if sim else []
    # Its log goes to a file: a pipe nobody reads would stop sshd once full.
    with (workdir / "sshd.log").open("wb") as log:
        process = subprocess.Popen([*preload, sshd_path(), "-D", "-e", "-f", str(workdir / "sshd_config")],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    try:
        _wait_listening(process, port, workdir)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


# -- the persistent sim behind a sim sshd -------------------------------------------------------
SOURCES = PROJECT / "jailkit" / "sim"
BUILDS = PROJECT / "build" / "sim-sshd"     # the checkout's own (git ignores build/)


def _start_sim(workdir: Path, user: str, client: str) -> subprocess.Popen:
    """The sim (jailkit.sim.serve) the forced command hands each command
    to, with its sockets in a directory of the login user's own, theirs
    alone; and, compiled from their sources, the forced command and the
    sshd's network stack (its tunnels go through the sim). Run as root, the
    sim runs as root too (the login user cannot reach a Python under /root).
    Its standard input is a pipe from this process: when the tests end,
    however they end, the sim sees end of file and goes, sockets and all."""
    state = workdir / "sim"
    # static: each command execs it, and without ld.so that costs less
    _build(SOURCES / "serve_client.c", ["-O2", "-static"], [], workdir / "serve-client")
    _build(SOURCES / "serve_connect.c", ["-O2", "-shared", "-fPIC"], ["-ldl"],
           workdir / "serve-connect.so")
    state.mkdir(mode=0o700)
    root = os.geteuid() == 0
    if root:
        shutil.chown(state, user, user)
    # Its Python uses the project's compiled modules as any import of
    # jailkit does: a cache of its own made each sim compile all of jailkit
    # again (1.2 s of CPU a sim).
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    with (workdir / "sim.log").open("wb") as log:
        sim = subprocess.Popen([sys.executable, "-m", "jailkit.sim.serve", str(state / "sim.sock"),
                                "--tunnel", str(state / "tunnel.sock"), "--bare", "--client", client,
                                *(["--owner", user] if root else [])],
                               cwd=state, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=log)
    assert sim.stdout is not None
    if sim.stdout.readline() != b"ready\n":
        sim.kill()
        sim.wait()
        raise RuntimeError(f"the sim behind sshd did not start: {(workdir / 'sim.log').read_text()}")
    return sim


def _build(source: Path, flags: list[str], libraries: list[str], target: Path) -> None:
    """``target``: ``source`` compiled with ``flags`` and linked with
    ``libraries``, copied from the checkout's cache of such builds (one per
    source text, flags and compiler: every sim sshd compiling its own took
    cc and ld about 0.2 s of CPU each time), built into it first when
    missing. Test workers may build the same one at once: each writes a
    file of its own and renames it into place, so the cache only ever holds
    whole builds."""
    compiler = shutil.which("cc")
    if compiler is None:
        raise RuntimeError("no C compiler (cc) for the sim sshd's helpers; `make test` installs "
                           "one as root (apt-get install gcc)")
    identity = hashlib.sha256(source.read_bytes())
    identity.update(repr((os.path.realpath(compiler), os.stat(compiler).st_mtime_ns, flags,
                          libraries)).encode())
    built = BUILDS / f"{source.stem}-{identity.hexdigest()[:24]}"
    if not built.exists():
        BUILDS.mkdir(parents=True, exist_ok=True)
        partial = BUILDS / f".{built.name}.{os.getpid()}.{os.urandom(4).hex()}"
        try:
            subprocess.run([compiler, *flags, "-o", str(partial), str(source), *libraries],
                           check=True)
            os.replace(partial, built)
        finally:
            partial.unlink(missing_ok=True)
    shutil.copy2(built, target)


def _stop_sim(sim: subprocess.Popen) -> None:
    """Closing its standard input stops it; it removes its socket."""
    for pipe in (sim.stdin, sim.stdout):
        if pipe is not None:
            pipe.close()
    try:
        sim.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sim.kill()
        sim.wait()


def _wait_listening(process: subprocess.Popen, port: int, workdir: Path) -> None:
    """Until ``process`` listens on ``port``: it wrote its pid file, which
    sshd does once it listens (a connection alone could reach another
    process that has the port), and takes connections."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listening = _read(workdir / "sshd.pid").strip() == str(process.pid)
        log = _read(workdir / "sshd.log")    # after the pid file: all it said before it
        if "Address already in use" in log:     # on one loopback or both
            raise _PortTaken(log)
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited: {log}")
        try:
            if listening:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("sshd did not start listening within 10 s")


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""
