"""A thin wrapper of the ``vagrant`` command line (python-vagrant is no
longer maintained): validate, status, up, halt, destroy, box add and
ssh-config, each raising VagrantError with what went wrong and what to do.

Vagrant's --machine-readable output is lines of
``timestamp,target,type,data...``; an ``error-exit`` line names the error
class (Vagrant::Errors::...), which is how failures are told apart."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import paramiko

from .host import BYTES_KEPT, TEXT, HostError

INSTALL_HINT = ("install it (Debian: apt-get install --no-install-recommends vagrant; "
                "elsewhere: https://developer.hashicorp.com/vagrant/install)")


class VagrantError(HostError):
    pass


@dataclass(frozen=True)
class SshSettings:
    hostname: str
    port: int
    user: str
    identity_file: str


def _unescape(text: str) -> str:
    return text.replace("%!(VAGRANT_COMMA)", ",").replace("\\n", "\n").replace("\\r", "")


def _records(output: str) -> list[list[str]]:
    """Machine-readable lines as [timestamp, target, type, data...]."""
    records = []
    for line in output.splitlines():
        fields = line.split(",")
        if len(fields) >= 3 and fields[0].isdigit():
            records.append([_unescape(f) for f in fields])
    return records


class Vagrant:
    def __init__(self, directory: str | Path, machine: str = "default",
                 progress: Callable[[str], None] | None = None, executable: str = "vagrant") -> None:
        self.directory = Path(directory)
        self.machine = machine
        self.progress = progress
        self.executable = executable

    def _path(self) -> str:
        found = shutil.which(self.executable)
        if found is None:
            raise VagrantError(f"vagrant is not installed (no {self.executable!r} on PATH); "
                               + INSTALL_HINT)
        if not (self.directory / "Vagrantfile").is_file():
            raise VagrantError(f"no Vagrantfile in {self.directory}")
        return found

    def _run(self, *args: str, stream: bool = False) -> list[list[str]]:
        argv = [self._path(), *args, "--machine-readable"]
        process = subprocess.Popen(argv, cwd=self.directory, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, encoding=TEXT, errors=BYTES_KEPT)
        assert process.stdout is not None      # stdout=PIPE
        lines = []
        for line in process.stdout:
            lines.append(line)
            if stream and self.progress is not None:
                for record in _records(line):
                    if record[2] == "ui" and len(record) > 4 and record[3] in ("info", "output"):
                        self.progress(",".join(record[4:]).rstrip())
        process.wait()
        records = _records("".join(lines))
        if process.returncode != 0:
            raise self._error(args[0], records, "".join(lines))
        return records

    def _error(self, command: str, records: list[list[str]], raw: str) -> VagrantError:
        failure = next((r for r in records if r[2] == "error-exit"), None)
        kind = failure[3] if failure else ""
        message = ",".join(failure[4:]).strip() if failure else raw.strip()
        if kind in ("Vagrant::Errors::BoxAddShortNotFound", "Vagrant::Errors::BoxNotFound",
                    "Vagrant::Errors::DownloaderError"):
            return VagrantError(f"the box is not downloaded and could not be fetched: {message}\n"
                                "Add it on a machine with network access (vagrant box add NAME) "
                                "and copy it here, name a box you have with JAILKIT_BOX, or point "
                                "JAILKIT_BOX_URL at a box file (file:///path/freebsd.box).")
        if kind in ("Vagrant::Errors::NoDefaultProvider", "Vagrant::Errors::ProviderNotUsable"):
            return VagrantError(f"no usable Vagrant provider: {message}\n"
                                "Install VirtualBox or vagrant-libvirt, or use ssh:// to a FreeBSD box.")
        return VagrantError(f"vagrant {command} failed ({kind or 'no error class'}): {message}")

    # -- commands -------------------------------------------------------------
    def validate(self) -> None:
        """Check the Vagrantfile; provider blocks need their provider, so
        they are left out (--ignore-provider)."""
        self._run("validate", "--ignore-provider")

    def status(self) -> str:
        """The machine's state: not_created, running, poweroff, saved ..."""
        for record in self._run("status", self.machine):
            if record[2] == "state" and len(record) > 3:
                return record[3]
        raise VagrantError(f"vagrant status gave no state for {self.machine!r}")

    def up(self, provider: str | None = None) -> None:
        """Boot (and provision) the machine, telling progress as it goes."""
        args = ["up", self.machine] + ([f"--provider={provider}"] if provider else [])
        self._run(*args, stream=True)

    def halt(self) -> None:
        self._run("halt", self.machine)

    def destroy(self) -> None:
        self._run("destroy", "--force", self.machine)

    def box_add(self, name: str, provider: str | None = None) -> None:
        self._run("box", "add", name, *([f"--provider={provider}"] if provider else []), stream=True)

    def ssh_config(self) -> SshSettings:
        """HostName, Port, User and IdentityFile of ``vagrant ssh-config``."""
        argv = [self._path(), "ssh-config", self.machine]
        done = subprocess.run(argv, cwd=self.directory, capture_output=True, encoding=TEXT,
                              errors=BYTES_KEPT)
        if done.returncode != 0:
            raise VagrantError(f"vagrant ssh-config failed: {(done.stderr or done.stdout).strip()}")
        config = paramiko.SSHConfig.from_file(io.StringIO(done.stdout)).lookup(self.machine)
        try:
            return SshSettings(config["hostname"], int(config.get("port", 22)), config["user"],
                               config["identityfile"][0])
        except (KeyError, IndexError, ValueError) as exc:
            raise VagrantError(f"vagrant ssh-config lacks {exc}: {done.stdout.strip()}") from None
