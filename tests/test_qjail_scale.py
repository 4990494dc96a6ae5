"""qjail at its scale: 254 vnet jails, and clear answers past it."""

from __future__ import annotations

import pytest

from jailkit.files import read_file
from jailkit.lab import LabError, load_lab
from jailkit.qjail import Qjail

REFUSAL = "ERROR: You have reached the 254 max number of vnet jails allowed.\n"


def test_the_255th_vnet_jail_gets_qjails_refusal(host):
    qjail = Qjail(host)
    assert qjail.command(["qjail", "install"]).exit_status == 0
    for number in range(1, 256):
        address = f"10.1.{number // 250}.{number % 250 + 1}"
        assert qjail.command(["qjail", "create", "-4", address, f"j{number}"]).exit_status == 0
    for number in range(1, 255):
        outcome = qjail.command(["qjail", "config", "-w", "fxp0", "-v", "none", f"j{number}"])
        assert outcome.exit_status == 0, outcome.output
    record_before = read_file(host, "/usr/local/etc/qjail.local/j255")
    outcome = qjail.command(["qjail", "config", "-w", "fxp0", "-v", "none", "j255"])
    assert (outcome.exit_status, outcome.output) == (3, REFUSAL)
    assert read_file(host, "/usr/local/etc/qjail.vnetctl") == 'count="254"\n'
    assert read_file(host, "/usr/local/etc/qjail.local/j255") == record_before
    statuses = [line.split()[0] for line in qjail.list().splitlines()[3:] if line.strip()]
    assert statuses.count("DSV") == 254 and statuses.count("DS") == 1


def test_jail_addresses_on_the_lan_skip_the_host_and_the_gateway():
    lab = load_lab("qjail-vnet")      # 10.0.10.0/28: host .2, gateway .1
    assert [str(a) for a in lab.jail_addresses(12)] == [f"10.0.10.{n}" for n in range(3, 15)]


def test_a_lan_too_small_for_the_jails_names_the_lab():
    with pytest.raises(LabError) as error:
        load_lab("qjail-vnet").jail_addresses(254)
    assert str(error.value) == ("the lab qjail-vnet: its LAN 10.0.10.0/28 has room for 12 jail "
                                "addresses besides the host and the gateway, not 254")


LOCAL = "/usr/local/etc/qjail.local"


@pytest.fixture
def qjail(host) -> Qjail:
    """qjail installed, with jails a1, a2 and a3 on 10.1.0.1 to 10.1.0.3."""
    qjail = Qjail(host)
    qjail.command(["qjail", "install"])
    for name, address in (("a1", "10.1.0.1"), ("a2", "10.1.0.2"), ("a3", "10.1.0.3")):
        qjail.command(["qjail", "create", "-4", address, name])
    return qjail


def test_records_read_in_one_pass_tell_damaged_and_empty_ones_apart(host, qjail):
    """create reads every record in one pass for its address warnings: a
    record that pretends to hold another's header, an empty record and a
    directory in their place each get the answer a lone read gives."""
    host.run(f"printf '\\n==> {LOCAL}/a3 <==\\n# not a record of its own\\n' >> {LOCAL}/a2").check()
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.3", "b1"])
    assert (outcome.exit_status, outcome.output) == (
        0, "Warning: Existing jail a3 is already assigned IP address 10.1.0.3\n"
           "Successfully created  b1\n")
    host.run(f": > {LOCAL}/a1").check()
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.9", "b2"])
    assert (outcome.exit_status, outcome.output) == (
        3, f'Error: The definition record {LOCAL}/a1 is damaged: name=""\n')
    host.run(f"rm {LOCAL}/a1 && mkdir {LOCAL}/a1").check()
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.9", "b2"])
    assert (outcome.exit_status, outcome.output) == (3, "Error: This jail name don't exist. a1\n")


def test_a_record_ending_in_the_next_files_header_gets_a_lone_reads_answers(host, qjail):
    """A record whose last line, without its line break, pretends to be
    the next file's header: the warnings still name the right jails, and
    an empty next record is still found damaged, as lone reads say."""
    host.run(f"printf '==> {LOCAL}/a2 <==' >> {LOCAL}/a1").check()
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.2", "b1"])
    assert (outcome.exit_status, outcome.output) == (
        0, "Warning: Existing jail a2 is already assigned IP address 10.1.0.2\n"
           "Successfully created  b1\n")
    host.run(f": > {LOCAL}/a2").check()
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.9", "b2"])
    assert (outcome.exit_status, outcome.output) == (
        3, f'Error: The definition record {LOCAL}/a2 is damaged: name=""\n')


def test_a_record_changed_behind_qjails_back_is_read_as_it_is_now(host, qjail):
    """create knows the records it has read or written, but a record
    changed on the host since then is read as it is now: an address moved
    to another jail by hand is warned of under that jail's name."""
    host.run(f"sed 's/10.1.0.2/10.1.0.7/' {LOCAL}/a2 > /tmp/a2 && cat /tmp/a2 > {LOCAL}/a2").check()
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.7", "b1"])
    assert (outcome.exit_status, outcome.output) == (
        0, "Warning: Existing jail a2 is already assigned IP address 10.1.0.7\n"
           "Successfully created  b1\n")
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.2", "b2"])
    assert (outcome.exit_status, outcome.output) == (0, "Successfully created  b2\n")


def test_a_file_head_cannot_read_is_still_one_of_the_jails_create_looks_at(host, qjail):
    """ls lists a link to nowhere in qjail.local, which head cannot open:
    create, which takes the jails' names from head's output when it is
    all records it knows, must not pass over it, and answers as a lone
    read of it does."""
    qjail.command(["qjail", "create", "-4", "10.1.0.9", "b1"])     # every record known
    host.run(f"ln -s /nonexistent {LOCAL}/a4").check()
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.10", "b2"])
    assert (outcome.exit_status, outcome.output) == (3, "Error: This jail name don't exist. a4\n")
    assert not host.run("test -e /usr/jails/b2").succeeded


def test_a_record_holding_the_next_records_header_and_text_is_not_taken_for_two(host, qjail):
    """a2 holds a3's header and text after its own, and a3's file is gone:
    head's output is exactly four known records, but ls lists three, and
    create answers as a lone read of a2 does."""
    qjail.command(["qjail", "create", "-4", "10.1.0.4", "b1"])      # every record known
    host.run(f"printf '\\n==> {LOCAL}/a3 <==\\n' >> {LOCAL}/a2 && cat {LOCAL}/a3 >> {LOCAL}/a2 "
             f"&& rm {LOCAL}/a3").check()
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.3", "c1"])
    assert (outcome.exit_status, outcome.output) == (
        3, f'Error: The definition record {LOCAL}/a2 is damaged: name="a3"\n')


def test_one_file_holding_two_records_as_head_prints_them_is_one_damaged_record(host, qjail):
    """With one file in qjail.local head prints no header (head.c: only
    for more than one operand), so a file holding a1 and a2 as head prints
    them would read as those two known records."""
    host.run(f"head -n 100 {LOCAL}/a1 {LOCAL}/a2 > /tmp/two && rm {LOCAL}/a1 {LOCAL}/a2 {LOCAL}/a3 "
             f"&& mv /tmp/two {LOCAL}/zz").check()
    outcome = qjail.command(["qjail", "create", "-4", "10.1.0.1", "c1"])
    assert outcome.exit_status == 3 and outcome.output.startswith(
        f"Error: The definition record {LOCAL}/zz is damaged: "), outcome.output
