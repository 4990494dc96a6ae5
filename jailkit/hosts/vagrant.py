"""``vagrant://[machine][?dir=PATH&provider=NAME&up=0&deadline=S]``: the FreeBSD box of
vagrant/Vagrantfile, booted when it is not running (progress is shown),
then reached over ssh:// with paramiko as root (sudo): an ssh:// host, with
its thread safety, its ``deadline`` for each command and its ``keepalive``
(both settable here too, ``?deadline=S&keepalive=S``).

The box's host key is recorded, on the first connection after jailkit
booted it, in ``.vagrant/jailkit_known_hosts`` beside the Vagrantfile, and
checked from then on; destroying the box forgets it. After the session the
box is kept, or destroyed (``--destroy always|passing``)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import SplitResult

from ..lab import Lab
from ..vagrant import Vagrant, VagrantError
from . import HostURLError
from .ssh import SshHost, timings

OPTIONS = {"dir", "provider", "up", "deadline", "keepalive"}
DESTROY = ("never", "always", "passing")


def _progress(line: str) -> None:
    print(f"vagrant: {line}", file=sys.stderr, flush=True)


class VagrantHost(SshHost):
    vagrant: Vagrant            # the machine, to destroy it after the session
    destroy_policy: str         # when to destroy it: one of DESTROY

    @classmethod
    def from_url(cls, url: str, parts: SplitResult, options: dict[str, str],
                 lab: Lab | None = None, destroy: str = "never", **_settings) -> "VagrantHost":
        if set(options) - OPTIONS or parts.port or parts.username:
            raise HostURLError(f"{url!r}: vagrant:// takes a machine name and "
                               "?dir=PATH&provider=NAME&up=0&deadline=S&keepalive=S")
        settings = timings(url, {name: options[name] for name in ("deadline", "keepalive")
                                 if name in options})
        if destroy not in DESTROY:
            raise HostURLError(f"destroy must be one of {', '.join(DESTROY)}, not {destroy!r}")
        directory = Path(options.get("dir") or os.environ.get("JAILKIT_VAGRANT_DIR") or "vagrant")
        machine = parts.hostname or "default"
        provider = options.get("provider")
        # Both go to the vagrant command line as words: a name that began
        # with '-' would be read there as an option.
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", machine):
            raise HostURLError(f"{url!r}: {machine!r} is not a Vagrant machine name")
        if provider is not None and not re.fullmatch(r"[a-z0-9_]+", provider):
            raise HostURLError(f"{url!r}: {provider!r} is not a Vagrant provider name")
        vagrant = Vagrant(directory, machine, progress=_progress)
        state = vagrant.status()
        known_hosts = directory / ".vagrant" / "jailkit_known_hosts"
        if state != "running":
            if options.get("up") == "0":
                raise VagrantError(f"the machine {machine!r} in {directory} is not running "
                                   f"(state: {state}); run vagrant up there, or drop ?up=0")
            if state == "not_created":
                known_hosts.unlink(missing_ok=True)   # a new box has a new host key
            vagrant.up(provider)
        ssh = vagrant.ssh_config()
        host = cls(url, ssh.hostname, ssh.port, ssh.user, key=ssh.identity_file,
                   known_hosts=str(known_hosts), accept_new_key=not known_hosts.is_file(),
                   sudo=True, lab=lab, **settings)
        host.vagrant = vagrant
        host.destroy_policy = destroy
        return host

    def close(self, passed: bool = True) -> None:
        super().close(passed)
        if self.destroy_policy == "always" or (self.destroy_policy == "passing" and passed):
            self.vagrant.destroy()
            Path(self.known_hosts).unlink(missing_ok=True)
