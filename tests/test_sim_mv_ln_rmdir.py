"""mv, ln and rmdir's options (bin/mv, bin/ln, bin/rmdir), and the options
of cp and rm the sim does not model refused, not ignored."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run


def test_rmdir_p_removes_the_parents_and_v_names_them(host: Host) -> None:
    run(host, "mkdir -p /tmp/p/q/r && touch /tmp/keep")
    assert run(host, "rmdir -pv /tmp/p/q/r") == (
        1, "/tmp/p/q/r\n/tmp/p/q\n/tmp/p\n", "rmdir: /tmp: Directory not empty\n")


def test_mv_n_i_and_v(host: Host) -> None:
    run(host, "echo old > /tmp/k; echo new > /tmp/n; echo o2 > /tmp/o")
    assert run(host, "mv -n /tmp/n /tmp/k; cat /tmp/k")[1] == "old\n"
    assert run(host, "echo n | mv -i /tmp/o /tmp/k; cat /tmp/k") == (
        0, "old\n", "overwrite /tmp/k? (y/n [n]) not overwritten\n")
    assert run(host, "echo y | mv -i /tmp/o /tmp/k; cat /tmp/k")[1] == "o2\n"
    # of -f, -i and -n the last one counts
    assert run(host, "mv -nf /tmp/n /tmp/k; cat /tmp/k")[1] == "new\n"
    assert run(host, "echo x > /tmp/a; mv -v /tmp/a /tmp/b")[1] == "/tmp/a -> /tmp/b\n"


def test_ln_v_and_w(host: Host) -> None:
    run(host, "echo k > /tmp/k")
    assert run(host, "ln -sv /tmp/k /tmp/kl; ln -v /tmp/k /tmp/kh")[1] == "/tmp/kl -> /tmp/k\n/tmp/kh => /tmp/k\n"
    assert run(host, "ln -sw nowhere /tmp/dl") == (0, "", "ln: warning: nowhere: No such file or directory\n")


def test_cp_and_rm_refuse_the_options_they_do_not_model(host: Host) -> None:
    assert run(host, "cp -n /etc/hosts /tmp/h") == (1, "", "cp: option -n is not modelled by the jailkit sim\n")
    assert run(host, "rm -i /tmp/nothing") == (1, "", "rm: option -i is not modelled by the jailkit sim\n")
    assert run(host, "touch /tmp/z; rm -Pv /tmp/z") == (0, "/tmp/z\n", "")
