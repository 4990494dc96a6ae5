"""``route -n get DESTINATION``: the route the kernel would take, one
"key: value" line each (sbin/route/route.c print_getmsg), then the metrics
table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RouteGet:
    destination: str
    gateway: str            # "" for a route without one (a directly attached network)
    interface: str
    flags: list[str]


def parse_route_get(text: str) -> RouteGet:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip() in ("destination", "gateway", "interface", "flags"):
            fields[key.strip()] = value.strip()
    flags = fields.get("flags", "").strip("<>")
    return RouteGet(fields.get("destination", ""), fields.get("gateway", ""),
                    fields.get("interface", ""), flags.split(",") if flags else [])
