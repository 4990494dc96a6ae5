"""``kldstat``: the files linked into the kernel (sbin/kldstat/kldstat.c
printfile: id, refs, address, size in hex, file name)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Kld:
    id: int
    refs: int
    address: str
    size: int
    file: str               # "kernel", "if_bridge.ko"

    @property
    def module(self) -> str:
        """The file's name without .ko, as kldload and kldunload take it."""
        return self.file.removesuffix(".ko")


def parse_kldstat(text: str) -> list[Kld]:
    """The files in the kernel's list order (as loaded, a dependency after
    the file that needed it; ids need not be consecutive); the header line
    ("Id Refs Address ...") is skipped, and so are kldstat -v's indented
    module lines."""
    files = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit():
            files.append(Kld(int(fields[0]), int(fields[1]), fields[2], int(fields[3], 16),
                             fields[4]))
    return files
