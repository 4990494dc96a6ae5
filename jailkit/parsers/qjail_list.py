"""``qjail list`` output, parsed to rows. Columns are cut where the dash
line under the header puts them, so a status with a space ("DRV 0") stays
one field."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class QjailRow:
    status: str
    jid: int | None
    nic: str
    ip: str
    name: str
    extra_ips: list[str]

    @property
    def running(self) -> bool:
        return len(self.status) > 1 and self.status[1] == "R"

    @property
    def vnet(self) -> bool:
        return "V" in self.status.split(" ")[0]

    @property
    def firewall_digit(self) -> str | None:
        parts = self.status.split()
        return parts[1] if len(parts) > 1 else None


class ListFormatError(ValueError):
    pass


def parse_qjail_list(text: str) -> list[QjailRow]:
    lines = text.splitlines()
    dash_index = next((i for i, line in enumerate(lines) if re.fullmatch(r"-+( -+)+\s*", line)), None)
    if dash_index is None:
        raise ListFormatError("no '------ ----' line under a header: not qjail list output")
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[dash_index])]
    rows: list[QjailRow] = []
    for line in lines[dash_index + 1:]:
        if not line.strip():
            continue
        cells = [line[start:(spans[i + 1][0] if i + 1 < len(spans) else None)].strip()
                 for i, (start, _) in enumerate(spans)]
        status, jid, nic, ip, name = (cells + [""] * 5)[:5]
        if not status and not name and rows:
            rows[-1].extra_ips.append(ip)
            continue
        rows.append(QjailRow(status, int(jid) if jid.isdigit() else None, nic, ip, name, []))
    return rows
