"""What every FreeBSD box shares: the lab is not modelled there, so jailkit
builds it out of FreeBSD itself (jailkit.labbuild) and takes it down again.
A bare sim host is such a box too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..host import Host
from ..lab import Lab

if TYPE_CHECKING:
    from ..labbuild import LabRecord


class BoxHost(Host):
    lab: Lab | None
    # what this host object built, so only that is taken down (a lab found
    # already there was built by someone else and stays)
    _lab_record: LabRecord | None = None

    def prepare_lab(self) -> None:
        from ..labbuild import build_lab
        if self.lab is not None and self._lab_record is None:
            self._lab_record = build_lab(self, self.lab)

    def remove_lab(self) -> None:
        from ..labbuild import remove_lab
        if self._lab_record is not None and self.lab is not None:
            record, self._lab_record = self._lab_record, None
            remove_lab(self, self.lab, record)
