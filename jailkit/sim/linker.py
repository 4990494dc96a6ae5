"""The kernel linker's list of loaded files (sys/kern/kern_linker.c): each
file's id, its references and the files it depends on, in the order the
files were made. The kernel (jailkit.sim.kernel) decides what a load or an
unload does to the rest of the machine; this keeps the linker's own books."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .errno import EBUSY, ENOENT, OSErr

PAGE = 0x1000
# Where the first module goes in kernel_map (amd64, above the kernel's image)
FIRST_ADDRESS = 0xffffffff82a20000
KERNEL_ADDRESS, KERNEL_SIZE = 0xffffffff80200000, 0x1f3c6c8
# References the kernel file holds at boot: a 14.3 GENERIC kernel's own
# modules depending on one another (linker_preload counts each MODULE_DEPEND).
KERNEL_BOOT_REFS = 31
# A module's MOD_QUIESCE/MOD_UNLOAD answer: raises OSErr to keep its file
Veto = Callable[[str], None]


@dataclass
class LinkerFile:
    """struct linker_file: refs counts the files that depend on it (and the
    load that made it); userrefs the kldload(2)s that asked for it, which
    kldunload(2) alone may take back."""
    name: str               # without ".ko": "if_bridge"
    id: int
    address: int
    size: int
    refs: int = 1
    userrefs: int = 0
    deps: list["LinkerFile"] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return self.name if self.name == "kernel" else f"{self.name}.ko"


class Linker:
    def __init__(self) -> None:
        self.files: list[LinkerFile] = []     # TAILQ linker_files: in the order made
        self.next_file_id = 1
        self.kernel = self.make("kernel", KERNEL_SIZE, address=KERNEL_ADDRESS)
        self.kernel.refs = KERNEL_BOOT_REFS

    def names(self) -> set[str]:
        return {lf.name for lf in self.files}

    def find(self, name: str) -> LinkerFile | None:
        """linker_find_file_by_name: "NAME" or "NAME.ko"."""
        name = name.removesuffix(".ko")
        return next((lf for lf in self.files if lf.name == name), None)

    def by_id(self, fileid: int) -> LinkerFile:
        """linker_find_file_by_id; ENOENT for an id no loaded file has."""
        for lf in self.files:
            if lf.id == fileid:
                return lf
        raise OSErr(ENOENT)

    def _file_id(self) -> int:
        """LINKER_GET_NEXT_FILE_ID: the counter moves on past every id in use,
        but is not advanced after handing one out, so the id of the file made
        last comes back once that file is unloaded (and only that one)."""
        used = {lf.id for lf in self.files}
        while self.next_file_id in used:
            self.next_file_id += 1
        return self.next_file_id

    def _address(self, size: int) -> int:
        """The lowest free stretch of kernel_map that fits the file's pages
        (vm_map_find, first fit): a freed stretch is used again."""
        pages = (size + PAGE - 1) & ~(PAGE - 1)
        address = FIRST_ADDRESS
        for lf in sorted((f for f in self.files if f is not self.kernel), key=lambda f: f.address):
            if address + pages <= lf.address:
                break
            address = max(address, lf.address + ((lf.size + PAGE - 1) & ~(PAGE - 1)))
        return address

    def make(self, name: str, size: int, *, address: int | None = None) -> LinkerFile:
        """linker_make_file: a new file at the tail of the list, refs 1."""
        lf = LinkerFile(name, self._file_id(), self._address(size) if address is None else address,
                        size)
        self.files.append(lf)
        return lf

    def depend(self, lf: LinkerFile, dep: LinkerFile) -> None:
        """linker_file_add_dependency."""
        lf.deps.append(dep)

    def release(self, lf: LinkerFile, veto: Veto) -> list[LinkerFile]:
        """linker_file_unload: drop one reference; the last one unloads the
        file (unless its modules veto: ``veto`` raises) and then drops the
        file's references on its dependencies, whose errors are ignored.
        Returns the files that went, in the order they went."""
        if lf.refs > 1:
            lf.refs -= 1
            return []
        veto(lf.name)
        self.files.remove(lf)
        gone = [lf]
        for dep in lf.deps:
            try:
                gone += self.release(dep, veto)
            except OSErr:
                pass
        lf.deps = []
        return gone

    def unload(self, lf: LinkerFile, veto: Veto) -> list[LinkerFile]:
        """kern_kldunload: only a file kldload(2) asked for (a file loaded
        for another one's sake is EBUSY: "attempt to unload file that was
        loaded by the kernel"); the user reference goes back on failure."""
        if lf.userrefs == 0:
            raise OSErr(EBUSY)
        lf.userrefs -= 1
        try:
            return self.release(lf, veto)
        except OSErr:
            lf.userrefs += 1
            raise

