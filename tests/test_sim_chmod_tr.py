"""chmod(1)'s modes and options (bin/chmod, setmode(3)) and tr(1)'s
complement and classes (usr.bin/tr)."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run


def _modes(host: Host, *paths: str) -> list[str]:
    return [line[:10] for line in run(host, "ls -ld " + " ".join(paths))[1].splitlines()]


def test_chmod_R_goes_down_the_tree_and_v_names_what_it_changed(host: Host) -> None:
    run(host, "mkdir -p /tmp/r/s && touch /tmp/r/s/f")
    # a directory is changed after what it holds (chmod.c: at FTS_DP)
    assert run(host, "chmod -Rv 700 /tmp/r")[1] == "/tmp/r/s/f\n/tmp/r/s\n/tmp/r\n"
    assert _modes(host, "/tmp/r/s", "/tmp/r/s/f") == ["drwx------", "-rwx------"]


def test_chmod_symbolic_modes(host: Host) -> None:
    run(host, "touch /tmp/x && chmod 644 /tmp/x")
    steps = [("u+x,g-r", "-rwx---r--"), ("go=", "-rwx------"), ("+w", "-rwx------"),
             ("g=u", "-rwxrwx---"), ("a-x,o+r", "-rw-rw-r--"), ("u+s,+t", "-rwSrw-r-T"),
             ("a+X", "-rwSrw-r-T"),     # X: no execute bit yet, not a directory
             ("u+x", "-rwsrw-r-T"), ("a+X", "-rwsrwxr-t"), ("0644", "-rw-r--r--")]
    for mode, shown in steps:
        run(host, f"chmod {mode} /tmp/x")
        assert _modes(host, "/tmp/x") == [shown], mode


def test_chmod_errors_and_f(host: Host) -> None:
    assert run(host, "chmod bogus /etc/hosts") == (1, "", "chmod: Invalid file mode: bogus\n")
    assert run(host, "chmod 600 /nonexistent") == (1, "", "chmod: /nonexistent: No such file or directory\n")
    assert run(host, "chmod -f 600 /nonexistent") == (0, "", "")


def test_tr_complements_set1_and_knows_the_classes(host: Host) -> None:
    assert run(host, "tr -cd '[:digit:]'", stdin="abc-123\n")[1] == "123"
    assert run(host, "tr -cs '[:alpha:]' '\\n'", stdin="a  b,,c\n")[1] == "a\nb\nc\n"
    assert run(host, "tr -d '[:punct:][:space:]'", stdin="a, b.\n")[1] == "ab"
    assert run(host, "tr -cs x", stdin="xxyy\n")[1] == "xxy\n"


def test_chmod_without_a_class_acts_on_what_the_umask_leaves(host: Host) -> None:
    # setmode(3): - without u, g, o or a clears only the bits umask 022
    # leaves (here u's w); = without one clears all but the sticky bit
    run(host, "touch /tmp/x /tmp/y && chmod 666 /tmp/x && chmod 1777 /tmp/y")
    run(host, "chmod a=rw,-w /tmp/x; chmod =rx /tmp/y")
    assert _modes(host, "/tmp/x", "/tmp/y") == ["-r--rw-rw-", "-r-xr-xr-t"]
