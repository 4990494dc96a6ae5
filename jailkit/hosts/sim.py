"""``sim://[?lab=NAME&seed=N]``: a fresh embedded FreeBSD 14 VIMAGE host
with its lab, in this process. Each connect() gives an independent host."""

from __future__ import annotations

from urllib.parse import SplitResult

from ..host import Host, HostTimeout
from ..lab import DEFAULT_LAB, Lab, load_lab
from ..sim import Deadline, Machine
from . import HostURLError

OPTIONS = {"lab", "seed"}


class SimHost(Host):
    def __init__(self, lab: Lab, seed: int = 0, url: str = "sim://") -> None:
        self.url = url
        self.lab = lab
        self.machine = Machine(lab, seed)

    @classmethod
    def from_url(cls, url: str, parts: SplitResult, options: dict[str, str],
                 lab: Lab | None = None) -> "SimHost":
        unknown = set(options) - OPTIONS
        if unknown or parts.netloc or parts.path not in ("", "/"):
            raise HostURLError(f"{url!r}: sim:// takes only ?lab=NAME&seed=N")
        seed = options.get("seed", "0")
        if not seed.isdigit():
            raise HostURLError(f"{url!r}: seed must be a number")
        if "lab" in options or lab is None:
            lab = load_lab(options.get("lab") or DEFAULT_LAB)
        return cls(lab, int(seed), url)

    def _run(self, line: str, stdin: str | None, timeout: float | None) -> tuple[int, str, str]:
        try:
            return self.machine.run(line, stdin, timeout)
        except Deadline:
            raise HostTimeout(line, timeout or 0) from None
