"""sh(1) on the sim: ${x#p} ${x##p} ${x%p} ${x%%p} inside double quotes
match their pattern (POSIX 2.6.2), as jib's and jng's "${0##*/}" need."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.mark.parametrize("expansion, result", [
    ('"${x##*/}"', "c.tar.gz"), ('"${x#*/}"', "a/b/c.tar.gz"), ('"${x%%.*}"', "/a/b/c"),
    ('"${x%.*}"', "/a/b/c.tar"), ('"${x##*/}: done"', "c.tar.gz: done"),
    ('"${x##"*"/}"', "/a/b/c.tar.gz"),
])
def test_trimming_inside_double_quotes_uses_the_pattern(host, expansion, result):
    assert run(host, f"x=/a/b/c.tar.gz; echo {expansion}") == (0, result + "\n", "")
