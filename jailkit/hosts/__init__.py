"""Hosts by URL, one module per kind (the testinfra backend layout)."""

from __future__ import annotations

import importlib
from urllib.parse import parse_qs, urlsplit

from ..host import Host
from ..lab import Lab

# scheme -> "module:Class", imported only when used.
BACKENDS = {
    "sim": "jailkit.hosts.sim:SimHost",
    "ssh": "jailkit.hosts.ssh:SshHost",
    "vagrant": "jailkit.hosts.vagrant:VagrantHost",
    "local": "jailkit.hosts.local:LocalHost",
}


class HostURLError(ValueError):
    pass


def connect(url: str = "sim://", *, lab: Lab | None = None, **settings: str) -> Host:
    """A host for ``url``: ``sim://`` (the embedded FreeBSD model, default),
    ``ssh://user@box``, ``vagrant://[machine]`` or ``local://``.
    ``lab`` is the world around the host the scenarios assume (a sim:// URL
    may name its own with ``?lab=``); ``settings`` are session choices a kind
    of host may use (``destroy`` for vagrant://)."""
    parts = urlsplit(url)
    if not parts.scheme or "://" not in url:
        raise HostURLError(f"{url!r} is not a host URL; expected one of "
                           + ", ".join(f"{s}://..." for s in BACKENDS))
    backend = BACKENDS.get(parts.scheme)
    if backend is None:
        raise HostURLError(f"unknown host kind {parts.scheme!r} in {url!r}; jailkit knows "
                           + ", ".join(f"{s}://" for s in BACKENDS))
    module_name, _, class_name = backend.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    options = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    return cls.from_url(url, parts, options, lab=lab, **settings)
