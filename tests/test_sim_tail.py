"""tail(1) on the sim: the last lines, or from a line on with -n +N."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.mark.parametrize("command, stdout", [
    ("printf '1\\n2\\n3\\n4\\n' | tail -n 2", "3\n4\n"),
    ("printf '1\\n2\\n3\\n4\\n' | tail -1", "4\n"),
    ("printf '1\\n2\\n3\\n4\\n' | tail -n +2", "2\n3\n4\n"),
    ("printf '1\\n2\\n3\\n4\\n' | tail -n+3", "3\n4\n"),
])
def test_lines(host, command, stdout):
    assert run(host, command) == (0, stdout, "")
