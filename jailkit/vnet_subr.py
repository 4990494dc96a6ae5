"""The vocabulary of FreeBSD's network regression tests
(tests/sys/common/vnet.subr): make epairs, bridges and VNET jails on a host,
remember each one made, and take exactly those down again.

As vnet_mkepair does, an epair is named by its unit without the end letter
("epair0"), and both ends are recorded; vnet_cleanup removes the jails first,
then destroys the interfaces, each one whether or not the others went.

Beyond vnet.subr, for the lab jailkit builds (jailkit.labbuild): an epair or
a bridge may be asked for by unit (``epair200``: ifconfig(8) creates that
unit or fails), a jail may be given more parameters, and a subclass may say
how a command that must succeed fails (``must``). A caller that keeps a
record of its own (labbuild's: each name before the command that makes it,
MACs and jids) takes down from that record rather than with cleanup()."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .host import Host, Result


class VnetSubr:
    def __init__(self, host: Host) -> None:
        self.host = host
        self.jails: list[str] = []
        self.interfaces: list[str] = []

    def sh(self, command: str | Sequence[str]) -> Result:
        """A command on the host: a shell line, or an argv list (quoted)."""
        return self.host.run(command)

    def must(self, command: Sequence[str]) -> str:
        """A command that has to succeed (CommandFailed otherwise); its
        standard output."""
        return self.sh(command).check().stdout

    def mkepair(self, unit: int | None = None) -> str:
        """vnet_mkepair: a new epair (epair``unit`` when given); returns
        "epairN" (its ends are a and b)."""
        name = self.must(["ifconfig", "epair" if unit is None else f"epair{unit}", "create"]).strip()
        self.interfaces += [name, name[:-1] + "b"]
        return name[:-1]

    def mkbridge(self, unit: int | None = None) -> str:
        """vnet_mkbridge: a new bridge (bridge``unit`` when given); returns
        its name."""
        asked = "bridge" if unit is None else f"bridge{unit}"
        # ifconfig prints the new name only when it is not the one asked
        # for (sbin/ifconfig/ifclone.c, ifclonecreate)
        name = self.must(["ifconfig", asked, "create"]).strip() or asked
        self.interfaces.append(name)
        return name

    def mkjail(self, name: str, *interfaces: str, params: Mapping[str, str] | None = None) -> None:
        """vnet_mkjail: a persistent VNET jail holding ``interfaces``, with
        ``params`` (jail(8) parameters: host.hostname, path ...) besides."""
        given = [f"{key}={value}" for key, value in (params or {}).items()]
        self.must(["jail", "-c", f"name={name}", *given, "persist", "vnet",
                   *(f"vnet.interface={i}" for i in interfaces)])
        self.jails.append(name)

    def cleanup(self) -> None:
        """vnet_cleanup: the jails made, then the interfaces made."""
        for name in self.jails:
            self.sh(["jail", "-r", name])
        for name in self.interfaces:
            self.sh(["ifconfig", name, "destroy"])
        self.jails, self.interfaces = [], []
