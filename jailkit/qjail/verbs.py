"""qjail's verbs (install, create, config, start, stop, restart, list,
console, delete) as Python issuing FreeBSD commands on any Host, with
qjail's messages, files and refusals."""

from __future__ import annotations

import posixpath
import re
import shlex
from functools import lru_cache
from operator import itemgetter, methodcaller

from ..files import exists, list_dir, read_file, remove_trees, write_file
from ..host import Host, Result
from . import jail_conf
from . import firewall as jail_firewall
from .record import (ARCHIVE, CONFIG, FLAVORS, FSTAB, GLOBAL, JAILDIR, LOCAL, PACKAGES,
                     SHAREDFS, TEMPLATE, VNETCTL, Record, parse_vnetctl)
from .values import (QjailError, check_base, check_ipv4, check_ipv6, check_jailname,
                     check_login_name, check_mirror, check_nic, check_ruleset)

FIREWALLS = ("none", "ipfw", "pf", "ipf")
# head -n: more lines than a record can have (INT_MAX), so head prints it whole.
HEAD_ALL = "2147483647"
# head(1)'s separator before each file but the first ("\n" put before
# the output makes the first one alike); a literal start, so found fast
_HEADER = re.compile(r"\n==> ([^\n]*) <==\n")
FIREWALL_DIGIT = {"none": "0", "ipfw": "1", "pf": "2", "ipf": "3", "": "0"}
BASE_DIRS = ["bin", "lib", "libexec", "sbin", "usr/bin", "usr/include", "usr/lib",
             "usr/libdata", "usr/libexec", "usr/sbin", "usr/share"]
TEMPLATE_DIRS = ["dev", "tmp", "var/log", "var/run", "var/tmp", "root", "home", "mnt", "sharedfs"]
# Sticky and world-writable, as etc/mtree/BSD.root.dist and BSD.var.dist
# make them (mode 01777); mkdir gives 0755.
STICKY_DIRS = ["tmp", "var/tmp"]
# What install puts into each flavor, and create copies into a new jail.
FLAVOR_FILES = ["etc/rc.conf", "etc/motd"]
MAX_VNET_JAILS = 254
DOWNLOAD = f"{JAILDIR}/download"
UNPACKED = f"{JAILDIR}/download/base"
FLAVOR_RC_CONF = ('# rc.conf(5) of a qjail jail (default flavor)\n'
                  'sendmail_enable="NONE"\n'
                  'syslogd_flags="-ss"\n'
                  'rpcbind_enable="NO"\n')
FLAVOR_MOTD = "Welcome to your FreeBSD jail.\n"


class QjailVerbs:
    """The verbs of qjail on one Host (the command line is jailkit.qjail.Qjail)."""

    def __init__(self, host: Host) -> None:
        self.host = host

    # -- helpers --------------------------------------------------------------
    def _run(self, command: str | list[str], stdin: str | None = None) -> Result:
        return self.host.run(command, stdin=stdin)

    def _must(self, command: str | list[str], what: str, stdin: str | None = None) -> Result:
        result = self._run(command, stdin)
        if not result.succeeded:
            raise QjailError(f"Error: {what} failed: {(result.stderr or result.stdout).strip()}")
        return result

    def installed(self) -> bool:
        # one test(1) for both, as every verb asks it first
        return self._run(["test", "-e", LOCAL, "-a", "-e", TEMPLATE]).succeeded

    def _require_installed(self) -> None:
        if not self.installed():
            raise QjailError("Error: qjail install has not been run yet.")

    def record(self, name: str) -> Record:
        """The definition record of an existing jail, checked field by field
        before any of its values reaches a command or a jail.conf."""
        return self._checked_record(name).copy()

    def _checked_record(self, name: str, text: str | None = None) -> Record:
        """record(), read-only: its file's ``text`` when already read."""
        if text is None:
            _check_known_jailname(name)
            text = read_file(self.host, f"{LOCAL}/{name}")
        if text is None:
            raise QjailError(f"Error: This jail name don't exist. {name}")
        return _sound(name, text)

    def _records(self, names: list[str], every: bool = False,
                 texts: dict[str, str] | None = None) -> dict[str, Record]:
        """The records of ``names`` (read-only), in their order, read in one
        pass as qjail's shell reads them in one loop (_read_together); when
        that pass cannot tell them apart, each is read alone, so a record
        that is damaged or cannot be read fails as record() says. ``every``:
        the names are all of qjail.local, as names() lists them. ``texts``:
        that pass's outcome, when the caller has made it."""
        if texts is None:
            texts = self._together(names, every)
        records = {}
        for name in names:
            # _sound()'s first look, here: this loop runs for every record at
            # each create (qjail's address warnings), so it calls nothing for
            # a record whose text is the one it was last found sound with
            text, known = texts.get(name), _known_records.get(name)
            if text is not None and known is not None and known[0] == text:
                records[name] = known[1]
            else:
                records[name] = _sound(name, text) if text is not None else self._checked_record(name)
        return records

    def _together(self, names: list[str], every: bool) -> dict[str, str]:
        """_read_together() when there are records to tell apart."""
        return self._read_together(names, every) if len(names) > 1 else {}

    def _read_together(self, names: list[str], every: bool) -> dict[str, str]:
        """The texts of the records of ``names`` from one head(1) of them
        all (of qjail.local/* when they are ``every`` record, so that the
        command line stays short; as many lines as a file can have: each
        record whole), as _texts_of() tells them apart."""
        command = (f"head -n {HEAD_ALL} {shlex.quote(LOCAL)}/*" if every
                   else ["head", "-n", HEAD_ALL] + [f"{LOCAL}/{name}" for name in names])
        return _texts_of(names, self._run(command).stdout)

    def names(self) -> list[str]:
        return sorted(list_dir(self.host, LOCAL))

    def running_jid(self, name: str) -> int | None:
        result = self._run(["jls", "-j", name, "jid"])
        return int(result.stdout) if result.succeeded and result.stdout.strip().isdigit() else None

    def running_jids(self) -> dict[str, int]:
        """Every running jail's jid by its name, from one jls(8)."""
        jids = {}
        for line in self._run(["jls", "jid", "name"]).stdout.splitlines():
            jid, _, name = line.partition(" ")
            if jid.isdigit():
                jids[name] = int(jid)
        return jids

    def _save(self, record: Record) -> None:
        """The record into qjail.local and its copy into qjail.global (qjail
        writes one and cp's it), with one tee(1)."""
        paths = " ".join(shlex.quote(f"{d}/{record.name}") for d in (LOCAL, GLOBAL))
        text = record.render()
        self._run(f"tee {paths} > /dev/null", stdin=text).check()
        _sound(record.name, text)       # known for the next one-pass read

    # -- install --------------------------------------------------------------
    def install(self, base: str | None = None) -> str:
        """Build the qjail environment. By default the shared base comes from
        the host's own installed world (the host's release, offline);
        ``base`` names a base.txz (a path on the host, or a URL fetch(1)
        can get), qjail's original way."""
        if self.installed():
            raise QjailError("Error: The qjail system has already been installed.")
        # what a failed install removes: each of these that was not there
        # before (inside a /usr/jails of the user's too: nothing half-made)
        created = [JAILDIR, LOCAL, GLOBAL, CONFIG, FSTAB, PACKAGES, VNETCTL, DOWNLOAD, SHAREDFS,
                   f"{SHAREDFS}/usr", TEMPLATE, f"{TEMPLATE}/usr", ARCHIVE, FLAVORS]
        created += [f"{top}/{base}" for base in BASE_DIRS for top in (SHAREDFS, TEMPLATE)]
        already = self._existing(created)
        try:
            self._build("/" if base is None else self._unpack(base))
            self._run(remove_trees([UNPACKED]))
        except QjailError:
            self._run(remove_trees([p for p in created if p not in already]))
            raise
        return "Successfully installed qjail system.\n"

    def _existing(self, paths: list[str]) -> set[str]:
        """Which of ``paths`` are there (a link too, even one to nowhere),
        from one sh loop of test(1)s."""
        quoted = " ".join(shlex.quote(path) for path in paths)
        result = self._must(f'for p in {quoted}; do if [ -e "$p" ] || [ -L "$p" ]; then '
                            f'echo "$p"; fi; done', "looking for what is there")
        return set(result.stdout.splitlines())

    def release_url(self, server: str) -> str:
        """base.txz of the host's release on a FreeBSD mirror (install -h)."""
        check_mirror(server)
        release = self._must(["uname", "-r"], "uname").stdout.strip().split("-p")[0]
        machine = self._must(["uname", "-m"], "uname").stdout.strip()
        machine_arch = self._must(["uname", "-p"], "uname").stdout.strip()
        # The mirrors' layout, as bsdinstall's default BSDINSTALL_DISTSITE:
        # releases (snapshots for a -CURRENT, -STABLE, -PRERELEASE or -ALPHA
        # world) / MACHINE / MACHINE_ARCH (amd64/amd64, arm64/aarch64) / RELEASE.
        branch = release.rpartition("-")[2]
        tree = ("snapshots" if branch in ("CURRENT", "STABLE", "PRERELEASE")
                or branch.startswith("ALPHA") else "releases")
        return f"https://{server}/pub/FreeBSD/{tree}/{machine}/{machine_arch}/{release}/base.txz"

    def _unpack(self, base: str) -> str:
        check_base(base)
        self._must(["mkdir", "-p", DOWNLOAD, UNPACKED], "mkdir")
        archive = base
        if "://" in base:
            archive = f"{DOWNLOAD}/base.txz"
            self._must(["fetch", "-o", archive, base], f"fetching {base}")
        self._must(["tar", "-xpf", archive, "-C", UNPACKED], f"unpacking {archive}")
        return UNPACKED

    def _build(self, root: str) -> None:
        """Fill sharedfs and the template from the world under ``root``."""
        dirs = [SHAREDFS, f"{TEMPLATE}/usr", ARCHIVE, f"{FLAVORS}/default/etc",
                f"{FLAVORS}/ssh-default/etc", LOCAL, GLOBAL, CONFIG, FSTAB, PACKAGES]
        self._must(["mkdir", "-p"] + dirs, "mkdir")
        write_file(self.host, VNETCTL, 'count="0"\n')
        top = root.rstrip("/")
        result = self._run(_shared_base_script(top))
        if not result.succeeded:
            # the script's last line names the step that failed
            what = (result.stdout.strip().splitlines() or ["copying the base"])[-1]
            raise QjailError(f"Error: {what} failed: {result.stderr.strip()}")
        self._must(["cp", "-Rp", f"{top}/etc", f"{TEMPLATE}/"], f"copying {top}/etc")
        # The host's own settings and keys are not the jails'.
        self._must(f"rm -f {TEMPLATE}/etc/ssh/ssh_host_* {TEMPLATE}/etc/jail.conf", "rm")
        write_file(self.host, f"{TEMPLATE}/etc/rc.conf", "")
        write_file(self.host, f"{TEMPLATE}/etc/fstab", "")
        self._must(["mkdir", "-p"] + [f"{TEMPLATE}/{d}" for d in TEMPLATE_DIRS], "mkdir")
        self._must(["chmod", "1777"] + [f"{TEMPLATE}/{d}" for d in STICKY_DIRS], "chmod")
        for flavor in ("default", "ssh-default"):
            rc_conf = FLAVOR_RC_CONF + ('sshd_enable="YES"\n' if flavor == "ssh-default" else "")
            write_file(self.host, f"{FLAVORS}/{flavor}/etc/rc.conf", rc_conf)
            write_file(self.host, f"{FLAVORS}/{flavor}/etc/motd", FLAVOR_MOTD)

    # -- create ---------------------------------------------------------------
    def create(self, name: str, ip4: list[str] | None = None, ip6: list[str] | None = None,
               nic: str | None = None, ssh: bool = False) -> str:
        ip4, ip6 = list(ip4 or []), list(ip6 or [])
        check_jailname(name)
        if not ip4 and not ip6:
            raise QjailError("Error; An -4 or -6 IP address is mandatory.")
        for address in ip4:
            check_ipv4(address)
        for address in ip6:
            check_ipv6(address)
        if nic is not None:
            check_nic(nic, "-n")
        if ssh:
            check_login_name(name)
        self._require_installed()
        if nic is not None and not self._has_interface(nic):
            raise QjailError("Entered -n interface device name is not valid.")
        others = self.names()
        if name in others:
            raise QjailError(f"Error: Jailname already exists. {name}")
        warnings = self._address_warnings(others, ip4 + ip6)
        path = f"{JAILDIR}/{name}"
        record = Record(name, ip4=",".join(ip4), ip6=",".join(ip6), path=path,
                        interface=nic or "", fstab=f"{FSTAB}/{name}",
                        deffile=f"{LOCAL}/{name}", poststartssh="yes" if ssh else "")
        try:
            self._must(["cp", "-Rp", TEMPLATE, path], "copying the template")
            self._copy_flavor("default", path)
            if ssh:
                self._one_time_ssh(path)
            write_file(self.host, record.fstab, f"{SHAREDFS} {path}/sharedfs nullfs ro 0 0\n")
            self._save(record)
            write_file(self.host, jail_conf.config_path(name), jail_conf.render(record))
        except QjailError:
            self._remove_files(name)
            raise
        return warnings + f"Successfully created  {name}\n"

    def _one_time_ssh(self, path: str) -> None:
        """create -c (qjail 5's one_time_ssh): sshd enabled in the jail's
        rc.conf and reverse DNS off in its sshd_config. qjail writes the
        knob with `echo "sshd_enable="YES"" >>`, whose nested quotes leave
        sshd_enable=YES; the user comes at the first start
        (jail_conf.first_start_user)."""
        for file, line in (("etc/rc.conf", "sshd_enable=YES\n"),
                           ("etc/ssh/sshd_config", "UseDNS no\n")):
            target = shlex.quote(f"{path}/{file}")
            self._must(f"cat >> {target}", f"appending to {file}", stdin=line)

    def _copy_flavor(self, flavor: str, path: str) -> None:
        """The flavor's files over the template's. A template file may be a
        link out of the jail (the host's etc/motd is an absolute symlink to
        /var/run/motd, made by rc.d/motd); cp(1) on FreeBSD 14 would write
        through it into the host's file, so the link is removed first."""
        self._must(["rm", "-f"] + [f"{path}/{file}" for file in FLAVOR_FILES],
                   "removing the template's copy")
        for directory, files in _by_directory(FLAVOR_FILES).items():
            self._must(["cp", "-p"] + [f"{FLAVORS}/{flavor}/{file}" for file in files]
                       + [f"{path}/{directory}/"], "copying the flavor")

    def _has_interface(self, nic: str) -> bool:
        """Does the host have interface ``nic``? Asked of that interface
        alone (ifconfig NIC fails for one that does not exist), not of a
        list of every interface, which grows with each vnet jail's epair;
        -n, so that asking loads no driver (ifconfig.c ifmaybeload)."""
        return self._run(["ifconfig", "-n", nic]).succeeded

    def _address_warnings(self, others: list[str], addresses: list[str]) -> str:
        """qjail's warning for each address another jail has, from every
        record read in one pass (_read_together())."""
        texts = self._together(others, every=True)
        records = self._records(others, texts=texts)
        if len(texts) == len(others):
            # every record read in the one pass: an address in a record's
            # lists is in its text, and most addresses are in none (the
            # texts searched at once, no look at each record)
            everything = "\n".join(texts.values())
            addresses = [address for address in addresses if address in everything]
        out = []
        # each address between commas, so that a search of a record's lists
        # finds only a whole item (an address holds no comma)
        wanted = [(address, f",{address},") for address in addresses]
        for other, record in records.items() if wanted else ():
            used = f",{record.ip4},{record.ip6},"
            for address, item in wanted:
                if item in used:
                    out.append(f"Warning: Existing jail {other} is already assigned IP address {address}\n")
        return "".join(out)

    # -- config ---------------------------------------------------------------
    def config(self, name: str, *, vnet_nic: str | None = None, firewall: str | None = None,
               ruleset: str | None = None) -> str:
        if vnet_nic is not None:
            check_nic(vnet_nic, "-w")
        if firewall is not None and firewall not in FIREWALLS:
            raise QjailError("Error: The -v value must be none, ipfw, pf or ipf.")
        if ruleset is not None:
            check_ruleset(ruleset)
        check_jailname(name)
        self._require_installed()
        record = self.record(name)
        if self.running_jid(name) is not None:
            raise QjailError(f"Error: Jail is running & it needs to be stopped. {name}")
        messages = []
        new_number: int | None = None
        if vnet_nic is not None:
            if not self._has_interface(vnet_nic):
                raise QjailError("Entered -w interface device name is not valid.")
            record.vinterface = vnet_nic
            messages.append(f"Successfully enabled vnet.interface for {name}")
        if firewall is not None:
            if len(name) > 12:
                raise QjailError("Error: jail name size exceeds the 12 character maximum\n"
                                 "for vnet jail names.")
            if not record.vinterface:
                raise QjailError("The vnet interface -w option has to be populated first\n"
                                 "with the device name of the physical interface facing\n"
                                 "the public internet or the private LAN.")
            number = record.vnet_number
            if number is None:
                # A permanent number, from the counter in qjail.vnetctl.
                number = parse_vnetctl(read_file(self.host, VNETCTL)) + 1
                if number > MAX_VNET_JAILS:
                    raise QjailError("ERROR: You have reached the 254 max number of vnet jails allowed.")
                new_number = number
            record.vnet = f"be|{firewall}|{number}"
            record.poststartssh = ""        # config -v clears it, as qjail 5 does
            messages.append(f"Successfully enabled vnet for {name}")
        if ruleset is not None:
            self._ensure_ruleset(ruleset)
            record.ruleset = ruleset
            messages.append(f"Successfully enabled devfs.rules for {name}")
        if firewall is not None:
            self._firewall(record, firewall, explicit_ruleset=ruleset is not None)
        if new_number is not None:
            write_file(self.host, VNETCTL, f'count="{new_number}"\n')
        self._save(record)
        write_file(self.host, jail_conf.config_path(name), jail_conf.render(record))
        return "".join(m + "\n" for m in messages)

    def _firewall(self, record: Record, firewall: str, explicit_ruleset: bool) -> None:
        """-v FIREWALL: the jail's rc.conf knobs, its rules file and, for pf
        and ipf, the devfs ruleset that shows their devices."""
        rc_conf = f"{record.path}/etc/rc.conf"
        current = read_file(self.host, rc_conf) or ""
        write_file(self.host, rc_conf, jail_firewall.rc_conf(current, firewall))
        chosen = jail_firewall.FIREWALLS.get(firewall)
        if chosen is None:
            if record.ruleset in ("60", "70") and not explicit_ruleset:
                record.ruleset = ""
            return
        write_file(self.host, f"{record.path}{chosen.rules_path}", chosen.rules)
        if chosen.ruleset is None or explicit_ruleset:
            return
        if chosen.ruleset not in self._run(["devfs", "rule", "showsets"]).stdout.split():
            section, commands = jail_firewall.devfs_rules(chosen)
            write_file(self.host, "/etc/devfs.rules", section, append=True)
            for command in commands:
                self._must(command, "devfs rule")
        record.ruleset = chosen.ruleset

    def _ensure_ruleset(self, ruleset: str) -> None:
        """-b N needs ruleset N; qjail 5 defines 50 (bpf unhidden) itself the
        first time it is asked for."""
        sets = self._run(["devfs", "rule", "showsets"]).stdout.split()
        if ruleset in sets:
            return
        if ruleset != "50":
            raise QjailError(f"Error; devfs.rules # {ruleset} does not exist.\n"
                             "It must first be defined in the hosts /etc/devfs.rules.")
        rules = ["add include $devfsrules_jail", "add path 'bpf*' unhide"]
        write_file(self.host, "/etc/devfs.rules",
                   "\n[devfsrules_qjail_bpf50=50]\n" + "\n".join(rules) + "\n", append=True)
        self._must(["devfs", "rule", "-s", "50", "add", "include", "4"], "devfs rule")
        self._must(["devfs", "rule", "-s", "50", "add", "path", "bpf*", "unhide"], "devfs rule")

    # -- start / stop ---------------------------------------------------------
    def _targets(self, names: list[str]) -> list[str]:
        for name in names:
            check_jailname(name)
        self._require_installed()
        # each named jail's record, as qjail's group-prefixing tests it
        # ([ -e ]): not a listing of every jail's
        for name in names:
            if not exists(self.host, f"{LOCAL}/{name}"):
                raise QjailError(f"Error: This jail name don't exist. {name}")
        return names or self.names()

    def start(self, *names: str) -> str:
        output = []
        for name in self._targets(list(names)):
            if self.running_jid(name) is not None:
                output.append(f"Jail already running.      {name}\n")
                continue
            record = self.record(name)
            conf = jail_conf.config_path(name)
            write_file(self.host, conf, jail_conf.render(record))
            result = self._run(["/usr/sbin/jail", "-q", "-f", conf, "-c"])
            output.append(result.stdout + result.stderr)
            if not result.succeeded:
                raise QjailError(f"Error: /usr/sbin/jail failed to start jail {name}.\n"
                                 "because of errors in jail.conf file.", "".join(output))
            # qjail's pid file holds the new jail's jid, straight from jls(8)
            pid_file = shlex.quote(f"/var/run/qjail.{name}.pid")
            self._must(f"jls -j {shlex.quote(name)} jid > {pid_file}", "writing the pid file")
            if record.poststartssh:
                # The user exists now: later starts must not add it again.
                record.poststartssh = ""
                self._save(record)
                write_file(self.host, conf, jail_conf.render(record))
            output.append(f"Jail successfully started  {name}\n")
        return "".join(output)

    def stop(self, *names: str) -> str:
        output = []
        for name in self._targets(list(names)):
            if self.running_jid(name) is None:
                output.append(f"Jail already stopped.      {name}\n")
                continue
            result = self._run(["/usr/sbin/jail", "-q", "-f", jail_conf.config_path(name), "-r", name])
            output.append(result.stdout + result.stderr)
            if not result.succeeded:
                raise QjailError(f"Error: /usr/sbin/jail failed to stop jail {name}.\n"
                                 "because of errors in jail.conf file.", "".join(output))
            self._run(["rm", "-f", f"/var/run/qjail.{name}.pid"])
            output.append(f"Jail successfully stopped  {name}\n")
        return "".join(output)

    def restart(self, *names: str) -> str:
        output = []
        for name in self._targets(list(names)):
            output.append(self.stop(name))
            output.append(self.start(name))
        return "".join(output)

    # -- list -----------------------------------------------------------------
    def list(self, *names: str) -> str:
        """qjail-vnet-howto's layout: STATUS (D/I, R/S, V for vnet, N/M,
        then the vnet jail's firewall digit: 0 none, 1 ipfw, 2 pf, 3 ipf),
        JID (N/A when stopped), NIC, IP and the jail's name; only the named
        jails when names are given."""
        targets = sorted(set(self._targets(list(names))))
        lines = ["", f"{'STATUS':<6} {'JID':<4} {'NIC':<6} {'IP':<15} Jailname",
                 "------ ---- ------ --------------- -------------------------------"]
        running = self.running_jids()
        for name, record in self._records(targets, every=not names).items():
            jid = running.get(name)
            status = ("I" if record.imagetype else "D") + ("R" if jid is not None else "S")
            nic = record.interface
            if record.vnet:
                status += "V"
                nic = record.vinterface
            if record.extra.get("norun"):
                status += "N"
            if record.vnet:
                status += " " + FIREWALL_DIGIT[record.firewall]
            addresses = [a for a in (record.ip4 + "," + record.ip6).split(",") if a] or ["none"]
            lines.append(f"{status:<6} {str(jid) if jid is not None else 'N/A':<4} {nic:<6} "
                         f"{addresses[0]:<15} {name}")
            lines.extend(f"{'':<6} {'':<4} {'':<6} {extra}" for extra in addresses[1:])
        return "\n".join(lines) + "\n\n"

    # -- console --------------------------------------------------------------
    def console(self, name: str) -> str:
        """Check the jail can take a console and return its login banner
        (the jail's motd). Commands then run with console_run()."""
        check_jailname(name)
        self._require_installed()
        self.record(name)
        if self.running_jid(name) is None:
            raise QjailError(f"Error: Jail is not running & it needs to be. {name}")
        # Read inside the jail, as login(1) there reads it: a link in the
        # jail's /etc resolves in the jail, not on the host.
        result = self.host.run(["jexec", name, "cat", "/etc/motd"])
        return result.stdout if result.succeeded else ""

    def console_run(self, name: str, command: str, user: str = "root",
                    stdin: str | None = None) -> Result:
        """A command typed at the jail's console: root's login shell in the
        jail (jexec -l), as ``qjail console -c`` runs it."""
        return self.host.run(["jexec", "-l", "-U", user, name, "/bin/sh", "-c", command],
                             stdin=stdin)

    # -- delete ---------------------------------------------------------------
    def delete(self, *names: str, everything: bool = False) -> str:
        targets = self._targets([] if everything else list(names))
        output = []
        for name in targets:
            if self.running_jid(name) is not None:
                output.append(f"Bypassed running jail {name}\n")
                continue
            self._remove_files(name)
            output.append(f"Successfully deleted  {name}\n")
        if everything:
            write_file(self.host, VNETCTL, 'count="0"\n')
        return "".join(output)

    def _remove_files(self, name: str) -> None:
        self._run(remove_trees([f"{JAILDIR}/{name}", f"{LOCAL}/{name}", f"{GLOBAL}/{name}",
                                f"{FSTAB}/{name}", jail_conf.config_path(name),
                                jail_conf.console_log(name), f"/var/run/qjail.{name}.pid"]))


def _shared_base_script(top: str) -> str:
    """One sh(1) script that puts each base directory of the world under
    ``top`` that is there into sharedfs (mkdir -p of its parent, cp -Rp)
    and links it from the template (ln -s), as qjail's install does in one
    shell loop: one command for all of them, not three each. The first
    step that fails stops it with status 1 after printing the step's name
    (the one line it prints); that step's own message is on stderr. Every
    value is quoted (shlex.quote)."""
    lines = []
    for base in BASE_DIRS:
        source = shlex.quote(f"{top}/{base}")
        parent = shlex.quote(f"{SHAREDFS}/{base.rpartition('/')[0]}".rstrip("/"))
        link = f"ln -s {shlex.quote(f'/sharedfs/{base}')} {shlex.quote(f'{TEMPLATE}/{base}')}"
        copying = shlex.quote(f"copying {top}/{base}")
        lines.append(f"if [ -e {source} ]; then "
                     f"{{ mkdir -p {parent} && cp -Rp {source} {parent}/; }} || "
                     f"{{ echo {copying}; exit 1; }}; "
                     f"{link} || {{ echo ln; exit 1; }}; fi")
    return "\n".join(lines)


# check_jailname, remembered for the names that pass it: qjail checks every
# jail's name again for each jail it creates (a refusal is not remembered).
_check_known_jailname = lru_cache(maxsize=1024)(check_jailname)


# Each jail's record as last found sound, by the jail's name, with its
# text: qjail reads every record again for each jail it creates, and a
# record's text seldom changes. The text is compared whole, which costs
# less than a hash of it; a damaged record is not kept (it fails again).
# Never changed: record() hands out copies. Third, the record as head(1)
# prints it among others (its header, then its text: see _known_texts),
# when its text holds no "==> " that could pass for a header.
_known_records: dict[str, tuple[str, Record, str | None]] = {}
_KNOWN_MAX = 4096


def _sound(name: str, text: str) -> Record:
    """The record of jail ``name`` in ``text``, its name and each field
    checked (Record.problem)."""
    known = _known_records.get(name)
    if known is not None and known[0] == text:
        return known[1]
    check_jailname(name)
    record = Record.parse(text)
    problem = record.problem(name)
    if problem is not None:
        raise QjailError(f"Error: The definition record {LOCAL}/{name} is damaged: {problem}")
    if len(_known_records) >= _KNOWN_MAX:
        _known_records.clear()
    printed = None if "==> " in text else f"==> {LOCAL}/{name} <==\n{text}"
    _known_records[name] = (text, record, printed)
    return record


def _texts_of(names: list[str], output: str) -> dict[str, str]:
    """The texts of the records of ``names`` in head(1)'s ``output`` of
    them, which prints "==> PATH <==" and a line break before each file,
    after a line break but for the first (usr.bin/head/head.c). An output
    that is all known records (_known_texts()) of exactly ``names`` is
    taken as it is. Any other is cut at each such separator; only when the
    cuts are exactly one per file of ``names`` are the texts taken, else
    nothing. A record's own line that looks like a separator either makes
    one cut more, or, when it ends the record, takes the next file's line
    break and leaves that file's real header at the start of its text:
    both are refused. (A glob's order is the locale's, so order is not
    compared.)"""
    known = _known_texts(names, output)
    if known is not None:
        return known
    paths = [f"{LOCAL}/{name}" for name in names]
    pieces = _HEADER.split("\n" + output)
    headers, bodies = pieces[1::2], pieces[2::2]
    if (pieces[0] != "" or len(headers) != len(paths) or set(headers) != set(paths)
            or any(map(_starts_with_header, bodies))):
        return {}
    # each header is LOCAL/NAME (the paths above); nothing after a
    # header: empty, or a file head could open but not read (a
    # directory on FreeBSD); read alone, as record() reads it
    names_read = map(itemgetter(slice(len(LOCAL) + 1, None)), headers)
    return dict(filter(itemgetter(1), zip(names_read, bodies)))


def _known_texts(names: list[str], output: str) -> dict[str, str] | None:
    """The texts of ``names`` when head's ``output`` of them is each one's
    header and then the text its record was last found sound with
    (_known_records), in the order of ``names``; else None. Those texts
    hold no "==> ", so none of their lines passes for a header: an output
    equal to theirs has each file's text where theirs is. The comparison
    runs over all the records at once (map, one join)."""
    try:
        entries = list(map(_known_records.__getitem__, names))
    except KeyError:
        return None
    printed = list(map(_PRINTED, entries))
    if None in printed or output != "\n".join(printed):
        return None
    return dict(zip(names, map(_TEXT, entries)))


_TEXT, _PRINTED = itemgetter(0), itemgetter(2)


# a record's text that starts with a header (see _texts_of)
_starts_with_header = methodcaller("startswith", "==> ")


def _by_directory(files: list[str]) -> dict[str, list[str]]:
    """``files`` (relative paths) by their directory, so that one cp(1)
    copies those of a directory."""
    grouped: dict[str, list[str]] = {}
    for file in files:
        grouped.setdefault(posixpath.dirname(file), []).append(file)
    return grouped
