"""What every FreeBSD box shares: the lab is not modelled there, so jailkit
builds it out of FreeBSD itself (jailkit.labbuild) and takes it down again.
A bare sim host is such a box too."""

from __future__ import annotations

from ..host import Host
from ..lab import Lab


class BoxHost(Host):
    lab: Lab | None
    _lab_built = False

    def prepare_lab(self) -> None:
        from ..labbuild import build_lab
        if self.lab is not None and not self._lab_built:
            self._lab_built = build_lab(self, self.lab)

    def remove_lab(self) -> None:
        from ..labbuild import remove_lab
        if self._lab_built and self.lab is not None:
            remove_lab(self, self.lab)
            self._lab_built = False
