"""head(1) over many files, as qjail reads its records (head -n N dir/*):
each file's header and text as usr.bin/head/head.c prints them, whatever
the operand is (a link, a directory, a missing file, a path with "..")."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run


def test_head_of_a_glob_prints_each_file_under_its_header(host: Host) -> None:
    run(host, "mkdir -p /tmp/r /tmp/other && printf 'a1\\na2\\n' > /tmp/r/a && printf 'b1' > /tmp/r/b"
              " && printf 'o1\\no2\\no3\\n' > /tmp/other/o && ln -s /tmp/other/o /tmp/r/link")
    assert run(host, "head -n 5 /tmp/r/*") == (
        0, "==> /tmp/r/a <==\na1\na2\n\n==> /tmp/r/b <==\nb1\n==> /tmp/r/link <==\no1\no2\no3\n", "")


def test_head_counts_lines_in_each_file(host: Host) -> None:
    run(host, "mkdir -p /tmp/r && printf '1\\n2\\n3\\n' > /tmp/r/a && printf '1\\n2' > /tmp/r/b")
    assert run(host, "head -n 2 /tmp/r/a /tmp/r/b")[1] == "==> /tmp/r/a <==\n1\n2\n\n==> /tmp/r/b <==\n1\n2"
    assert run(host, "head -n 3 /tmp/r/a")[1] == "1\n2\n3\n"
    assert run(host, "cd /tmp/r && head -n 1 ../r/a ./b")[1] == "==> ../r/a <==\n1\n\n==> ./b <==\n1\n"


def test_head_reports_what_it_cannot_read_and_goes_on(host: Host) -> None:
    run(host, "mkdir -p /tmp/r/sub && printf 'x\\n' > /tmp/r/a")
    status, out, err = run(host, "head /tmp/r/missing /tmp/r/a /tmp/r/sub")
    assert status == 1
    # the first header printed has no blank line before it, even when an
    # operand before it could not be opened (head.c's "first" flag)
    assert out.startswith("==> /tmp/r/a <==\nx\n")
    assert "head: /tmp/r/missing: No such file or directory" in err


def test_head_in_a_jail_reads_the_jails_files(host: Host) -> None:
    run(host, "mkdir -p /tmp/j/etc /tmp/j/bin && printf 'jailed\\n' > /tmp/j/etc/f && printf 'host\\n' > /etc/f"
              " && cp /bin/sh /tmp/j/bin/sh && mkdir -p /tmp/j/usr/bin && cp /usr/bin/head /tmp/j/usr/bin/head")
    run(host, "jail -c path=/tmp/j name=h persist")
    assert run(host, "jexec h head -n 1 /etc/f /etc/f")[1] == "==> /etc/f <==\njailed\n\n==> /etc/f <==\njailed\n"


def test_head_and_tail_count_bytes_with_c_and_name_files_by_q_and_v(host: Host) -> None:
    run(host, "printf 'l1\\nl2\\nl3\\n' > /tmp/f && printf 'x\\ny\\n' > /tmp/g")
    assert run(host, "head -c 4 /tmp/f; tail -c 3 /tmp/f; tail -c +4 /tmp/f")[1] == "l1\nll3\nl2\nl3\n"
    assert run(host, "printf 'é\\n' | head -c 1 | wc -c")[1] == "       1\n"
    assert run(host, "head -v /tmp/f")[1] == "==> /tmp/f <==\nl1\nl2\nl3\n"
    assert run(host, "head -q /tmp/f /tmp/g")[1] == "l1\nl2\nl3\nx\ny\n"
    # tail names several files as head does (tail.c), unless -q
    assert run(host, "tail -n1 /tmp/f /tmp/g")[1] == "==> /tmp/f <==\nl3\n\n==> /tmp/g <==\ny\n"
    assert run(host, "tail -qn1 /tmp/f /tmp/g")[1] == "l3\ny\n"


def test_head_refuses_a_count_that_is_not_above_0(host: Host) -> None:
    assert run(host, "head -c 2 -n 1 /etc/hosts") == (1, "", "head: can't combine line and byte counts\n")
    assert run(host, "head -n -1 /etc/hosts") == (1, "", "head: illegal line count -- -1\n")
    assert run(host, "head -c x /etc/hosts") == (1, "", "head: illegal byte count -- x\n")


def test_tail_r_prints_the_lines_last_first_and_f_is_refused(host: Host) -> None:
    assert run(host, "tail -r", stdin="1\n2\n3")[1] == "3\n2\n1\n"
    assert run(host, "tail -r -n 2", stdin="1\n2\n3\n")[1] == "3\n2\n"
    assert run(host, "tail -f /etc/hosts") == (1, "", "tail: option -f is not modelled by the jailkit sim\n")


def test_uniq_skips_fields_and_characters_and_writes_its_output_operand(host: Host) -> None:
    assert run(host, "uniq -f1 -c", stdin="a x\nb x\nc y\n")[1] == "   2 a x\n   1 c y\n"
    assert run(host, "uniq -i", stdin="A\na\nb\n")[1] == "A\nb\n"
    assert run(host, "uniq -s1 -D", stdin="xa\nya\nz\n")[1] == "xa\nya\n"
    assert run(host, "printf 'a\\na\\n' > /tmp/u; uniq /tmp/u /tmp/v; cat /tmp/v")[1] == "a\n"
    assert run(host, "uniq -f x") == (1, "", "uniq: illegal field skip value: x\n")
