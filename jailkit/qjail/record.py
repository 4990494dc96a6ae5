"""qjail's per-jail definition record, /usr/local/etc/qjail.local/NAME: a
sh-sourceable file of key="value" lines with qjail 5's key set (its
write-definition function), and the permanent vnet counter qjail.vnetctl."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

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

_LINE = re.compile(r'^([a-z0-9]+)="(.*)"$')


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
    poststartssh: str = ""
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

    def render(self) -> str:
        return "".join(f'{f.name}="{getattr(self, f.name)}"\n' for f in fields(self)
                       if f.name != "extra")

    @classmethod
    def parse(cls, text: str) -> "Record":
        values: dict[str, str] = {}
        for line in text.splitlines():
            match = _LINE.match(line.strip())
            if match:
                values[match.group(1)] = match.group(2)
        known = {f.name for f in fields(cls)} - {"extra"}
        record = cls(**{k: v for k, v in values.items() if k in known and k != "name"},
                     name=values.get("name", ""))
        record.extra = {k: v for k, v in values.items() if k not in known}
        return record


def parse_vnetctl(text: str | None) -> int:
    match = re.search(r'count="(\d+)"', text or "")
    return int(match.group(1)) if match else 0
