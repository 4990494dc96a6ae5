"""qjail's per-jail definition record, /usr/local/etc/qjail.local/NAME: a
sh-sourceable file of key="value" lines with qjail 5's key set (its
write-definition function), and the permanent vnet counter qjail.vnetctl.

qjail itself sources these files, so a value is written only when it is
inert inside double quotes (names.is_inert), and a record read back is
checked field by field (Record.problem) before its values reach a command."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace

from ..names import InvalidName, is_ifname, is_inert, validate_ipv4, validate_ipv6

JAILDIR = "/usr/jails"
ETC = "/usr/local/etc"
LOCAL = f"{ETC}/qjail.local"
GLOBAL = f"{ETC}/qjail.global"
CONFIG = f"{ETC}/qjail.config"
FSTAB = f"{ETC}/qjail.fstab"
PACKAGES = f"{ETC}/qjail.packages"
VNETCTL = f"{ETC}/qjail.vnetctl"
SHAREDFS = f"{JAILDIR}/sharedfs"
TEMPLATE = f"{JAILDIR}/template"
FLAVORS = f"{JAILDIR}/flavors"
ARCHIVE = f"{JAILDIR}/archive"

_LINE = re.compile(r'([a-z0-9]+)="(.*)"')
_VNET = re.compile(r"be\|(none|ipfw|pf|ipf)\|[0-9]{1,3}")


@dataclass
class Record:
    name: str
    ip4: str = ""
    ip6: str = ""
    path: str = ""
    interface: str = ""       # create -n NIC (non-vnet alias interface)
    fstab: str = ""
    securelevel: str = ""
    cpuset: str = ""
    fib: str = ""
    vnet: str = ""            # "be|<firewall>|<N>" once config -v has run
    vinterface: str = ""      # config -w NIC
    rsockets: str = ""
    ruleset: str = ""         # config -b N
    sysvipc: str = ""
    quotas: str = ""
    nullfs: str = ""
    tmpfs: str = ""
    zfs: str = ""
    poststartssh: str = ""    # create -c: "yes" until the first start has made the user
    deffile: str = ""
    image: str = ""
    imagetype: str = ""
    imageblockcount: str = ""
    imagedevice: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def firewall(self) -> str:
        return self.vnet.split("|")[1] if self.vnet.count("|") == 2 else ""

    @property
    def vnet_number(self) -> int | None:
        return int(self.vnet.split("|")[2]) if self.vnet.count("|") == 2 else None

    def copy(self) -> "Record":
        return replace(self, extra=dict(self.extra))

    def render(self) -> str:
        lines = []
        for f in fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if not is_inert(value):
                raise ValueError(f"qjail record of {self.name!r}: {f.name}={value!r} would be "
                                 "read back as sh syntax")
            lines.append(f'{f.name}="{value}"\n')
        return "".join(lines)

    def problem(self, name: str) -> str | None:
        """What is wrong with a record read from jail ``name``'s file, or
        None. Only values jailkit puts into commands and jail.conf are
        checked, each to the grammar it has there."""
        checks = [
            ("name", self.name == name),
            ("ip4", all(_is_address(a, validate_ipv4) for a in _items(self.ip4))),
            ("ip6", all(_is_address(a, validate_ipv6) for a in _items(self.ip6))),
            ("path", self.path == f"{JAILDIR}/{name}"),
            ("fstab", self.fstab in ("", f"{FSTAB}/{name}")),
            ("interface", self.interface == "" or is_ifname(self.interface)),
            ("vinterface", self.vinterface == "" or is_ifname(self.vinterface)),
            ("vnet", self.vnet == "" or _VNET.fullmatch(self.vnet) is not None),
            ("ruleset", self.ruleset == "" or self.ruleset.isascii() and self.ruleset.isdigit()),
            ("poststartssh", self.poststartssh in ("", "yes", "YES")),
        ]
        for key, good in checks:
            if not good:
                return f'{key}="{getattr(self, key)}"'
        return None

    @classmethod
    def parse(cls, text: str) -> "Record":
        values: dict[str, str] = {}
        for line in text.splitlines():
            match = _LINE.fullmatch(line.strip())
            if match:
                values[match.group(1)] = match.group(2)
        known = {f.name for f in fields(cls)} - {"extra"}
        record = cls(name=values.get("name", ""))
        for key, value in values.items():
            if key in known:
                setattr(record, key, value)
            else:
                record.extra[key] = value
        return record


def parse_vnetctl(text: str | None) -> int:
    match = re.search(r'count="(\d+)"', text or "")
    return int(match.group(1)) if match else 0


def _items(text: str) -> list[str]:
    return [item for item in text.split(",") if item]


def _is_address(text: str, validate: Callable[[str], object]) -> bool:
    """An address as jail(8) takes it: no scope id (inet_pton reads none)."""
    try:
        validate(text)
    except InvalidName:
        return False
    return "%" not in text
