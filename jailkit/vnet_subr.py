"""The vocabulary of FreeBSD's network regression tests
(tests/sys/common/vnet.subr): make epairs, bridges and VNET jails on a host,
remember each one made, and take exactly those down again.

As vnet_mkepair does, an epair is named by its unit without the end letter
("epair0"), and both ends are recorded; vnet_cleanup removes the jails first,
then destroys the interfaces, each one whether or not the others went."""

from __future__ import annotations

from collections.abc import Sequence

from .host import Host, Result


class VnetSubr:
    def __init__(self, host: Host) -> None:
        self.host = host
        self.jails: list[str] = []
        self.interfaces: list[str] = []

    def sh(self, command: str | Sequence[str]) -> Result:
        """A command on the host: a shell line, or an argv list (quoted)."""
        return self.host.run(command)

    def mkepair(self) -> str:
        """vnet_mkepair: a new epair; returns "epairN" (its ends are a and b)."""
        name = self.sh(["ifconfig", "epair", "create"]).check().stdout.strip()
        self.interfaces += [name, name[:-1] + "b"]
        return name[:-1]

    def mkbridge(self) -> str:
        """vnet_mkbridge: a new bridge; returns its name."""
        name = self.sh(["ifconfig", "bridge", "create"]).check().stdout.strip()
        self.interfaces.append(name)
        return name

    def mkjail(self, name: str, *interfaces: str) -> None:
        """vnet_mkjail: a persistent VNET jail holding ``interfaces``."""
        self.sh(["jail", "-c", f"name={name}", "persist", "vnet",
                 *(f"vnet.interface={i}" for i in interfaces)]).check()
        self.jails.append(name)

    def cleanup(self) -> None:
        """vnet_cleanup: the jails made, then the interfaces made."""
        for name in self.jails:
            self.sh(["jail", "-r", name])
        for name in self.interfaces:
            self.sh(["ifconfig", name, "destroy"])
        self.jails, self.interfaces = [], []
