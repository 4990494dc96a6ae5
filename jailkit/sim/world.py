"""The installed world of the sim host and its state after boot: the base
system's files and programs at their FreeBSD paths, the host's network as
rc(8) leaves it (lab NIC configured, default route), devfs on /dev, and
the lab's LAN with its gateway."""

from __future__ import annotations

import ipaddress

from ..lab import Lab
from . import devd, examples, labnet, loader
from .ifnet import Loopback, Segment
from .kernel import KLD_FILES, Kernel
from .proc import IMAGES, Image, Input, Proc, Sink, root_env
from .rcconf import rc_variables
from .vfs import SF_IMMUTABLE, Dir, File, Mount, Symlink, Vfs
from .vnet import Vnet

# What installworld makes system-immutable (schg): the PRECIOUSLIB libraries
# and PRECIOUSPROG programs (share/mk/bsd.lib.mk, bsd.prog.mk; lib/libc,
# libcrypt, libthr, libexec/rtld-elf, sbin/init, usr.bin/su, passwd,
# login, chpass), with their modes; /var/empty is schg in BSD.var.dist.
PRECIOUS = {"/lib/libc.so.7": 0o444, "/lib/libcrypt.so.5": 0o444, "/lib/libthr.so.3": 0o444,
            "/libexec/ld-elf.so.1": 0o555, "/libexec/ld-elf32.so.1": 0o555,
            "/sbin/init": 0o500, "/usr/bin/su": 0o4555, "/usr/bin/passwd": 0o4555,
            "/usr/bin/login": 0o4555, "/usr/bin/chpass": 0o4555, "/var/empty": 0o555}
# Hard links installworld makes to the precious programs (LINKS in their
# Makefiles): the same file, so the same flags.
PRECIOUS_LINKS = {"/usr/bin/chpass": ["/usr/bin/chfn", "/usr/bin/chsh", "/usr/bin/ypchfn",
                                      "/usr/bin/ypchsh"],
                  "/usr/bin/passwd": ["/usr/bin/yppasswd"]}
# The directories qjail's sharedfs takes from the base system.
BASE_DIRS = ["bin", "lib", "libexec", "sbin", "usr/bin", "usr/include", "usr/lib",
             "usr/libdata", "usr/libexec", "usr/sbin", "usr/share"]

DEVFS_RULES = """\
# Default devfs(5) rulesets of FreeBSD 14 (/etc/defaults/devfs.rules).
[devfsrules_hide_all=1]
add hide

[devfsrules_unhide_basic=2]
add path null unhide
add path zero unhide
add path crypto unhide
add path random unhide
add path urandom unhide

[devfsrules_unhide_login=3]
add path 'ptyp*' unhide
add path 'ttyp*' unhide
add path ptmx unhide
add path pts unhide
add path 'pts/*' unhide
add path fd unhide
add path 'fd/*' unhide
add path stdin unhide
add path stdout unhide
add path stderr unhide

[devfsrules_jail=4]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add path fuse unhide
add path zfs unhide

[devfsrules_jail_vnet=5]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add include $devfsrules_jail
add path pf unhide
"""

DEFAULT_RC_CONF = """\
# Defaults for rc.conf(5) variables the sim's rc(8) understands.
hostname=""
netif_enable="YES"
network_interfaces="auto"
cloned_interfaces=""
cloned_interfaces_sticky="NO"
ipv6_network_interfaces="auto"
ipv6_activate_all_interfaces="NO"
synchronous_dhclient="NO"
defaultrouter="NO"
syslogd_enable="YES"
syslogd_flags="-s"
cron_enable="YES"
firewall_enable="NO"
firewall_type="UNKNOWN"
firewall_quiet="NO"
pf_enable="NO"
pf_rules="/etc/pf.conf"
ipfilter_enable="NO"
ipfilter_rules="/etc/ipf.rules"
ipnat_enable="NO"
ipnat_rules="/etc/ipnat.rules"
natd_enable="NO"
gateway_enable="NO"
jail_enable="NO"
jail_conf="/etc/jail.conf"
jail_list=""
devd_enable="YES"
sshd_enable="NO"
sendmail_enable="NO"
clear_tmp_enable="NO"
local_startup="/usr/local/etc/rc.d"
"""

# /boot/defaults/loader.conf of FreeBSD 14 (stand/defaults/loader.conf),
# its settings without the comments and the commented-out examples.
LOADER_DEFAULTS = """\
# The loader's defaults: set your own in /boot/loader.conf, with every
# value in double quotes (loader.conf(5)).
exec="echo Loading /boot/defaults/loader.conf"
kernel="kernel"
bootfile="kernel"
kernel_options=""
loader_conf_files="/boot/device.hints /boot/loader.conf /boot/loader.conf.local"
loader_conf_dirs="/boot/loader.conf.d"
nextboot_conf="/boot/nextboot.conf"
verbose_loading="NO"
splash_bmp_load="NO"
splash_pcx_load="NO"
splash_txt_load="NO"
vesa_load="NO"
bitmap_load="NO"
bitmap_name="splash.bmp"
bitmap_type="splash_image_data"
screensave_load="NO"
screensave_name="green_saver"
hostuuid_load="YES"
hostuuid_name="/etc/hostid"
hostuuid_type="hostuuid"
entropy_cache_load="YES"
entropy_cache_name="/boot/entropy"
entropy_cache_type="boot_entropy_cache"
entropy_efi_seed="YES"
ram_blacklist_load="NO"
ram_blacklist_name="/boot/blacklist.txt"
ram_blacklist_type="ram_blacklist"
cpu_microcode_load="NO"
cpu_microcode_name="/boot/firmware/ucode.bin"
cpu_microcode_type="cpu_microcode"
acpi_dsdt_load="NO"
acpi_dsdt_type="acpi_dsdt"
acpi_dsdt_name="/boot/acpi_dsdt.aml"
acpi_video_load="NO"
audit_event_load="NO"
audit_event_name="/etc/security/audit_event"
audit_event_type="etc_security_audit_event"
bootenv_autolist="YES"
efi_max_resolution="1x1"
kernels_autodetect="YES"
module_path="/boot/modules;/boot/dtb;/boot/dtb/overlays"
module_blacklist="drm drm2 radeonkms i915kms amdgpu"
"""

# The start of /boot/device.hints for amd64 (sys/amd64/conf/GENERIC.hints).
DEVICE_HINTS = """\
hint.fdc.0.at="isa"
hint.fdc.0.port="0x3F0"
hint.fdc.0.irq="6"
hint.fdc.0.drq="2"
hint.fd.0.at="fdc0"
hint.fd.0.drive="0"
hint.atkbdc.0.at="isa"
hint.atkbdc.0.port="0x060"
hint.atkbd.0.at="atkbdc"
hint.atkbd.0.irq="1"
hint.uart.0.at="isa"
hint.uart.0.port="0x3F8"
hint.uart.0.flags="0x10"
hint.uart.0.irq="4"
"""

# /etc/motd.template of FreeBSD 14 (rc.d/motd puts the kernel's version
# line before it in /var/run/motd).
MOTD_TEMPLATE = """\
Welcome to FreeBSD!

Release Notes, Errata: https://www.FreeBSD.org/releases/
Security Advisories:   https://www.FreeBSD.org/security/
FreeBSD Handbook:      https://www.FreeBSD.org/handbook/
FreeBSD FAQ:           https://www.FreeBSD.org/faq/
Questions List:        https://www.FreeBSD.org/lists/questions/
FreeBSD Forums:        https://forums.FreeBSD.org/

Documents installed with the system are in the /usr/local/share/doc/freebsd/
directory, or can be installed later with:  pkg install en-freebsd-doc
For other languages, replace "en" with a language code like de or fr.

Show the version of FreeBSD installed:  freebsd-version ; uname -a
Please include that output and any error messages when posting questions.
Introduction to manual pages:  man man
FreeBSD directory layout:      man hier

To change this login announcement, see motd(5).
"""

# /etc/ssh/sshd_config as FreeBSD 14.3 installs it (crypto/openssh/sshd_config,
# OpenSSH 9.9 with FreeBSD's changes): every option at its default, commented
# out, but for AuthorizedKeysFile and the sftp subsystem.
SSHD_CONFIG = """\
#	$OpenBSD: sshd_config,v 1.104 2021/07/02 05:11:21 dtucker Exp $

# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

# This sshd was compiled with PATH=/usr/bin:/bin:/usr/sbin:/sbin

# The strategy used for options in the default sshd_config shipped with
# OpenSSH is to specify options with their default value where
# possible, but leave them commented.  Uncommented options override the
# default value.

# Note that some of FreeBSD's defaults differ from OpenBSD's, and
# FreeBSD has a few additional options.

#Port 22
#AddressFamily any
#ListenAddress 0.0.0.0
#ListenAddress ::

#HostKey /etc/ssh/ssh_host_rsa_key
#HostKey /etc/ssh/ssh_host_ecdsa_key
#HostKey /etc/ssh/ssh_host_ed25519_key

# Ciphers and keying
#RekeyLimit default none

# Logging
#SyslogFacility AUTH
#LogLevel INFO

# Authentication:

#LoginGraceTime 2m
#PermitRootLogin no
#StrictModes yes
#MaxAuthTries 6
#MaxSessions 10

#PubkeyAuthentication yes

# The default is to check both .ssh/authorized_keys and .ssh/authorized_keys2
# but this is overridden so installations will only check .ssh/authorized_keys
AuthorizedKeysFile	.ssh/authorized_keys

#AuthorizedPrincipalsFile none

#AuthorizedKeysCommand none
#AuthorizedKeysCommandUser nobody

# For this to work you will also need host keys in /etc/ssh/ssh_known_hosts
#HostbasedAuthentication no
# Change to yes if you don't trust ~/.ssh/known_hosts for
# HostbasedAuthentication
#IgnoreUserKnownHosts no
# Don't read the user's ~/.rhosts and ~/.shosts files
#IgnoreRhosts yes

# Change to yes to enable built-in password authentication.
# Note that passwords may also be accepted via KbdInteractiveAuthentication.
#PasswordAuthentication no
#PermitEmptyPasswords no

# Change to no to disable PAM authentication
#KbdInteractiveAuthentication yes

# Kerberos options
#KerberosAuthentication no
#KerberosOrLocalPasswd yes
#KerberosTicketCleanup yes
#KerberosGetAFSToken no

# GSSAPI options
#GSSAPIAuthentication no
#GSSAPICleanupCredentials yes

# Set this to 'no' to disable PAM authentication, account processing,
# and session processing. If this is enabled, PAM authentication will
# be allowed through the KbdInteractiveAuthentication and
# PasswordAuthentication.  Depending on your PAM configuration,
# PAM authentication via KbdInteractiveAuthentication may bypass
# the setting of "PermitRootLogin prohibit-password".
# If you just want the PAM account and session checks to run without
# PAM authentication, then enable this but set PasswordAuthentication
# and KbdInteractiveAuthentication to 'no'.
#UsePAM yes

#AllowAgentForwarding yes
#AllowTcpForwarding yes
#GatewayPorts no
#X11Forwarding yes
#X11DisplayOffset 10
#X11UseLocalhost yes
#PermitTTY yes
#PrintMotd yes
#PrintLastLog yes
#TCPKeepAlive yes
#PermitUserEnvironment no
#Compression delayed
#ClientAliveInterval 0
#ClientAliveCountMax 3
#UseDNS yes
#PidFile /var/run/sshd.pid
#MaxStartups 10:30:100
#PermitTunnel no
#ChrootDirectory none
#UseBlacklist no
#VersionAddendum FreeBSD-20250219

# no default banner path
#Banner none

# override default of no subsystems
Subsystem	sftp	/usr/libexec/sftp-server

# Example of overriding settings on a per-user basis
#Match User anoncvs
#	X11Forwarding no
#	AllowTcpForwarding no
#	PermitTTY no
#	ForceCommand cvs server
"""

# /etc/inetd.conf as FreeBSD 14 installs it (usr.sbin/inetd/inetd.conf): every
# service commented out, so an inetd started as installed listens on nothing.
INETD_CONF = """\
#
# Internet server configuration database
#
# Define *both* IPv4 and IPv6 entries for dual-stack support.
# To disable a service, comment it out by prefixing the line with '#'.
# To enable a service, remove the '#' at the beginning of the line.
#
#ftp	stream	tcp	nowait	root	/usr/libexec/ftpd	ftpd -l
#ftp	stream	tcp6	nowait	root	/usr/libexec/ftpd	ftpd -l
#ssh	stream	tcp	nowait	root	/usr/sbin/sshd		sshd -i -4
#ssh	stream	tcp6	nowait	root	/usr/sbin/sshd		sshd -i -6
#telnet	stream	tcp	nowait	root	/usr/libexec/telnetd	telnetd
#telnet	stream	tcp6	nowait	root	/usr/libexec/telnetd	telnetd
#shell	stream	tcp	nowait	root	/usr/local/sbin/rshd	rshd
#shell	stream	tcp6	nowait	root	/usr/local/sbin/rshd	rshd
#login	stream	tcp	nowait	root	/usr/local/sbin/rlogind	rlogind
#login	stream	tcp6	nowait	root	/usr/local/sbin/rlogind	rlogind
#finger	stream	tcp	nowait/3/10 nobody /usr/libexec/fingerd	fingerd -k -s
#finger	stream	tcp6	nowait/3/10 nobody /usr/libexec/fingerd	fingerd -k -s
#
# run comsat as root to be able to print partial mailbox contents w/ biff,
# or use the safer tty:tty to just print that new mail has been received.
#comsat	dgram	udp	wait	tty:tty	/usr/libexec/comsat	comsat
#
# ntalk is required for the 'talk' utility to work correctly
#ntalk	dgram	udp	wait	tty:tty	/usr/libexec/ntalkd	ntalkd
#tftp	dgram	udp	wait	root	/usr/libexec/tftpd	tftpd -l -s /tftpboot
#tftp	dgram	udp6	wait	root	/usr/libexec/tftpd	tftpd -l -s /tftpboot
#bootps	dgram	udp	wait	root	/usr/libexec/bootpd	bootpd
#
# "Small servers" -- used to be standard on, but we're more conservative
# about things due to Internet security concerns.  Only turn on what you
# need.
#
#daytime stream	tcp	nowait	root	internal
#daytime stream	tcp6	nowait	root	internal
#daytime dgram	udp	wait	root	internal
#daytime dgram	udp6	wait	root	internal
#time	stream	tcp	nowait	root	internal
#time	stream	tcp6	nowait	root	internal
#time	 dgram	udp	wait	root	internal
#time	 dgram	udp6	wait	root	internal
#echo	stream	tcp	nowait	root	internal
#echo	stream	tcp6	nowait	root	internal
#echo	dgram	udp	wait	root	internal
#echo	dgram	udp6	wait	root	internal
#discard stream	tcp	nowait	root	internal
#discard stream	tcp6	nowait	root	internal
#discard dgram	udp	wait	root	internal
#discard dgram	udp6	wait	root	internal
#chargen stream	tcp	nowait	root	internal
#chargen stream	tcp6	nowait	root	internal
#chargen dgram	udp	wait	root	internal
#chargen dgram	udp6	wait	root	internal
#
# CVS servers - for master CVS repositories only!  You must set the
# --allow-root path correctly or you open a trivial to exploit but
# deadly security hole.
#
#cvspserver	stream	tcp	nowait	root	/usr/local/bin/cvs	cvs --allow-root=/your/cvsroot/here pserver
#cvspserver	stream	tcp	nowait	root	/usr/local/bin/cvs	cvs --allow-root=/your/cvsroot/here kserver
#
# RPC based services (you MUST have rpcbind running to use these)
#
#rstatd/1-3	dgram rpc/udp wait root	/usr/libexec/rpc.rstatd	 rpc.rstatd
#rusersd/1-2	dgram rpc/udp wait root	/usr/libexec/rpc.rusersd rpc.rusersd
#walld/1	dgram rpc/udp wait root	/usr/libexec/rpc.rwalld	 rpc.rwalld
#pcnfsd/1-2	dgram rpc/udp wait root	/usr/local/libexec/rpc.pcnfsd	 rpc.pcnfsd
#rquotad/1	dgram rpc/udp wait root	/usr/libexec/rpc.rquotad rpc.rquotad
#rquotad/1	dgram rpc/udp6 wait root	/usr/libexec/rpc.rquotad rpc.rquotad
#sprayd/1	dgram rpc/udp wait root	/usr/libexec/rpc.sprayd	 rpc.sprayd
#
# example entry for the optional pop3 server
#
#pop3	stream	tcp	nowait	root	/usr/local/libexec/popper	popper
#
# example entry for the optional imap4 server
#
#imap4	stream	tcp	nowait	root	/usr/local/libexec/imapd	imapd
#
# example entry for the optional nntp server
#
#nntp	stream	tcp	nowait	news	/usr/local/libexec/nntpd	nntpd
#
# example entry for the optional uucpd server
#
#uucpd	stream	tcp	nowait	root	/usr/local/libexec/uucpd	uucpd
#
# Return error for all "ident" requests
#
#auth	stream	tcp	nowait	root	internal
#auth	stream	tcp6	nowait	root	internal
#
# Provide internally a real "ident" service which provides ~/.fakeid support,
# provides ~/.noident support, reports UNKNOWN as the operating system type
# and times out after 30 seconds.
#
#auth	stream	tcp	nowait	root	internal	auth -r -f -n -o UNKNOWN -t 30
#auth	stream	tcp6	nowait	root	internal	auth -r -f -n -o UNKNOWN -t 30
#
# Example entry for an external ident server
#
#auth	stream	tcp	wait	root	/usr/local/sbin/identd	identd -w -t120
#
# Example entry for the optional qmail MTA
#  NOTE: This is no longer the correct way to handle incoming SMTP
#        connections for qmail.  Use tcpserver (http://cr.yp.to/ucspi-tcp.html)
#        instead.
#
#smtp	stream	tcp	nowait	qmaild	/var/qmail/bin/tcp-env	tcp-env /var/qmail/bin/qmail-smtpd
#
# Enable the following two entries to enable samba startup from inetd
# (from the Samba documentation).  Enable the third entry to enable the swat
# samba configuration tool.
#
#netbios-ssn stream tcp	nowait		root	/usr/local/sbin/smbd	smbd
#netbios-ns dgram udp	wait		root	/usr/local/sbin/nmbd	nmbd
#swat	stream	tcp	nowait/400	root	/usr/local/sbin/swat	swat
#
# Example entry for the Prometheus sysctl metrics exporter
#
#prom-sysctl	stream	tcp	nowait	nobody	/usr/sbin/prometheus_sysctl_exporter	prometheus_sysctl_exporter -dgh
"""

# Devices a FreeBSD 14 amd64 GENERIC kernel shows in /dev (a representative set).
DEVICES = ["ada0", "ada0p1", "ada0p2", "ada0p3", "bpf", "bpf0", "console", "crypto", "ctty",
           "devctl", "devstat", "fd", "fuse", "geom.ctl", "io", "klog", "kmem", "log", "mem",
           "null", "pci", "pfil", "ptmx", "pts", "random", "stderr", "stdin", "stdout", "ttyv0",
           "urandom", "zero"]


# A bare box's own uplink, as a Vagrant box behind VirtualBox NAT has it.
UPLINK = {"nic": "em0", "mac": "08:00:27:8d:c0:4d", "address": "10.0.2.15/24",
          "router": "10.0.2.2", "router_mac": "52:54:00:12:35:02", "resolver": "10.0.2.3"}


def install(kernel: Kernel, lab: Lab, bare: bool = False) -> None:
    """Write the installed system onto the machine's disk: the base
    system with the file flags installworld gives, its /etc, and the box's
    own settings."""
    vfs = kernel.vfs
    for directory in ["/bin", "/sbin", "/lib", "/libexec", "/boot/kernel", "/boot/defaults",
                      "/etc/defaults", "/etc/ssh", "/root", "/dev", "/mnt", "/home", "/var/log", "/var/run",
                      "/var/db", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/libexec",
                      "/usr/libdata", "/usr/include", "/usr/share/misc", "/usr/local/bin",
                      "/usr/local/sbin", "/usr/local/etc", examples.DIRECTORY]:
        vfs.mkdir(directory, parents=True)
    for image in sorted(IMAGES.values(), key=lambda image: image.path):
        vfs.place(image.path, _image_file(image))
    for library in ("/lib/libc.so.7", "/lib/libcrypt.so.5", "/lib/libthr.so.3"):
        vfs.place(library, File("\x7fELF shared object (modelled)\n", 0o444))
    for rtld in ("/libexec/ld-elf.so.1", "/libexec/ld-elf32.so.1"):
        vfs.place(rtld, File("\x7fELF interpreter (modelled)\n", 0o555))
    vfs.place("/usr/lib/libutil.so.9", File("\x7fELF shared object (modelled)\n", 0o444))
    vfs.place("/usr/share/misc/termcap", File("xterm|xterm-256color:tc=xterm-new:\n"))
    vfs.place("/usr/include/stdio.h", File("/* modelled header */\n"))
    vfs.place("/usr/libdata/ldconfig", File(""))
    _install_boot(vfs, bare)
    examples.install(vfs)
    files = {
        "/etc/defaults/devfs.rules": DEVFS_RULES,
        "/etc/defaults/rc.conf": DEFAULT_RC_CONF,
        "/etc/rc.conf": box_rc_conf(lab.host.hostname) if bare else (
            f'hostname="{lab.host.hostname}"\n'
            f'ifconfig_{lab.host.nic}="inet {lab.host.address}"\n'
            f'defaultrouter="{lab.gateway}"\n'
            'sshd_enable="YES"\n'),
        "/etc/hosts": "::1\t\t\tlocalhost\n127.0.0.1\t\tlocalhost\n",
        "/etc/resolv.conf": f"nameserver {UPLINK['resolver'] if bare else lab.gateway}\n",
        "/etc/shells": "/bin/sh\n/bin/csh\n/bin/tcsh\n",
        # etc/master.passwd and etc/group: www (80) owns what web servers serve
        "/etc/passwd": "root:*:0:0:Charlie &:/root:/bin/sh\n"
                       "daemon:*:1:1:Owner of many system processes:/root:/usr/sbin/nologin\n"
                       "www:*:80:80:World Wide Web Owner:/nonexistent:/usr/sbin/nologin\n"
                       "nobody:*:65534:65534:Unprivileged user:/nonexistent:/usr/sbin/nologin\n",
        "/etc/master.passwd": "root::0:0::0:0:Charlie &:/root:/bin/sh\n"
                              "daemon:*:1:1::0:0:Owner of many system processes:/root:"
                              "/usr/sbin/nologin\n"
                              "www:*:80:80::0:0:World Wide Web Owner:/nonexistent:"
                              "/usr/sbin/nologin\n"
                              "nobody:*:65534:65534::0:0:Unprivileged user:/nonexistent:"
                              "/usr/sbin/nologin\n",
        "/etc/group": "wheel:*:0:root\ndaemon:*:1:\nwww:*:80:\nnobody:*:65534:\n",
        "/etc/ssh/sshd_config": SSHD_CONFIG,
        "/etc/inetd.conf": INETD_CONF,
        "/etc/motd.template": MOTD_TEMPLATE,
        "/etc/fstab": "# Device\tMountpoint\tFStype\tOptions\tDump\tPass#\n"
                      "/dev/ada0p2\t/\t\tufs\trw\t1\t1\n",
        "/etc/sysctl.conf": "",
        "/root/.profile": "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin\n"
                          "export PATH\n",
    }
    for path, text in files.items():
        vfs.write(path, text)
    # etc/mtree/BSD.root.dist and BSD.var.dist: the world's temporary
    # directories are sticky and writable by all; root's home is its own.
    for directory in ("/tmp", "/var/tmp"):
        vfs.mkdir(directory, parents=True, mode=0o1777)
    vfs.lookup("/root").mode = 0o750
    vfs.mkdir("/var/empty")
    _make_precious(vfs)


def _make_precious(vfs: Vfs) -> None:
    """install -fschg, as installworld does for the precious files."""
    for path, mode in PRECIOUS.items():
        node = vfs.lookup(path)
        node.mode = mode
        for link in PRECIOUS_LINKS.get(path, []):
            vfs.place(link, node)
        node.flags = SF_IMMUTABLE


def _install_boot(vfs: Vfs, bare: bool) -> None:
    """/boot: the kernel and its modules, the loader's defaults and hints,
    and the box's own loader.conf (the official box only sets a delay)."""
    vfs.place("/boot/kernel/kernel", File("\x7fELF FreeBSD amd64 kernel (modelled)\n", 0o555))
    for module in KLD_FILES:
        vfs.place(f"/boot/kernel/{module}.ko", File("\x7fELF kernel module (modelled)\n", 0o555))
    vfs.write("/boot/defaults/loader.conf", LOADER_DEFAULTS, mode=0o444)
    vfs.write("/boot/device.hints", DEVICE_HINTS)
    if bare:
        vfs.write("/boot/loader.conf", 'autoboot_delay="-1"\n')


def box_rc_conf(hostname: str) -> str:
    """/etc/rc.conf as the official FreeBSD Vagrant box ships it
    (release/tools/vmimage.subr, then vagrant.conf's vagrant_common), with
    the hostname Vagrant's FreeBSD guest capability sets."""
    return (f'hostname="{hostname}"\n'
            "firstboot_freebsd_update_enable=YES\n"
            "firstboot_pkgs_enable=YES\n"
            "growfs_enable=YES\n"
            'ifconfig_DEFAULT="DHCP inet6 accept_rtadv"\n'
            'growfs_enable="YES"\n'
            'ifconfig_DEFAULT="SYNCDHCP"\n'
            'sshd_enable="YES"\n'
            'sendmail_enable="NO"\n'
            'sendmail_submit_enable="NO"\n'
            'sendmail_outbound_enable="NO"\n'
            'sendmail_msp_queue_enable="NO"\n')


def power_on(kernel: Kernel, lab: Lab, bare: bool) -> tuple[list[str], Vnet | None]:
    """Boot the machine's disk: the loader (kenv, modules), the kernel's
    mounts and devices, then what rc(8) leaves (network, motd, daemons).
    Returns what the loader printed on the console, and a bare box's
    uplink router."""
    vfs = kernel.vfs
    kernel.devfs.devices = list(DEVICES)
    kernel.devfs.load(DEVFS_RULES)
    vfs.mount(Mount("ufs", "/dev/ada0p2", "/", vfs.root, vfs.root, extra=("soft-updates",)))
    dev = vfs.lookup("/dev")
    assert isinstance(dev, Dir)
    vfs.mount(Mount("devfs", "devfs", "/dev", kernel.devfs.root(0), dev))
    # The loader runs first on a real box; here after devfs, so that the
    # modules it loads make their device nodes (/dev/pf, /dev/ipl ...).
    console = loader.boot(kernel)
    router = _boot_bare_network(kernel) if bare else None
    if not bare:
        _boot_network(kernel, lab)
    _cleanvar(vfs)
    _motd(kernel)
    boot(kernel, bare)
    return console, router


def _cleanvar(vfs: Vfs) -> None:
    """rc.d/cleanvar (purgedir): files under /var/run from the last boot
    are gone; the directories stay."""
    directories = [vfs.lookup("/var/run")]
    while directories:
        directory = directories.pop()
        assert isinstance(directory, Dir)
        for name, node in list(directory.entries.items()):
            if isinstance(node, Dir):
                directories.append(node)
            else:
                del directory.entries[name]


def _motd(kernel: Kernel) -> None:
    """rc.d/motd: /var/run/motd is the kernel's version line and the
    template; /etc/motd becomes a symbolic link to it unless it is one."""
    vfs = kernel.vfs
    template = vfs.read("/etc/motd.template") if vfs.exists("/etc/motd.template") else ""
    vfs.write("/var/run/motd", kernel.version + "\n" + template)
    found = vfs.resolve("/etc/motd", follow=False)
    if not isinstance(found.node, Symlink):
        if found.node is not None:
            vfs.unlink("/etc/motd")
        vfs.symlink("/var/run/motd", "/etc/motd")


def boot(kernel: Kernel, bare: bool) -> None:
    """init(8) runs /etc/rc autoboot: devd first (rc.d/devd comes before
    netif), then netif, routing, the firewalls, the daemons and the jails
    rc.conf enables (jailkit.sim.commands.rc). Its output goes to the
    console, which nobody reads here."""
    proc = Proc(kernel, kernel.prison0, "/", root_env(), Input(""), Sink(), Sink())
    variables = rc_variables(proc)
    if variables.get("devd_enable", "NO").lower() in ("yes", "true", "on", "1"):
        devd.start(kernel)
    uplink = kernel.host_vnet.ifunit(UPLINK["nic"])
    if bare and uplink is not None:
        # rc.d/netif: em0 is a DHCP interface (ifconfig_DEFAULT); its
        # dhclient got the lease _boot_bare_network set, and stays.
        devd.quietstart(kernel, uplink, lease=True)
    proc.execvp(["/bin/sh", "/etc/rc", "autoboot"])


def _image_file(image: Image) -> File:
    """The file the world has at an image's path: an executable, a boot
    script run with sh (mode 0644, as etc/Makefile installs them), an sh
    library, or a script of share/examples (read-only, see examples)."""
    if image.kind == "script":
        return File(f"#!/bin/sh\n# {image.path}: modelled by the jailkit sim\n", 0o644, image.name)
    if image.kind == "library":
        return File(f"# {image.path}: modelled by the jailkit sim\n", 0o644, image.name)
    if image.kind == "example":
        # a script of share/examples, installed read-only (examples.SHAREMODE)
        return File(f"#!/bin/sh\n# {image.path}: modelled by the jailkit sim\n",
                    examples.SHAREMODE, image.name)
    return File(f"\x7fELF FreeBSD amd64 executable {image.path} (modelled)\n", 0o555, image.name)


def _boot_network(kernel: Kernel, lab: Lab) -> None:
    """What /etc/rc.d/netif and routing leave behind on the host."""
    host = lab.host
    lan = Segment("lan")
    nic = kernel.add_physical(kernel.host_vnet, host.nic, host.mac,
                              media=host.media, baudrate=host.speed_mbps * 1_000_000,
                              options=host.options, segment=lan)
    labnet.other_nics(kernel, lab, lan)     # NICs attach before lo0 (ifconfig -l: igb0 igb1 igb2 lo0)
    loopback_up(kernel, kernel.attach_loopback(kernel.host_vnet))
    kernel.if_up(nic)
    kernel.add_inet(nic, host.address, host.address.network.broadcast_address, alias=True)
    kernel.host_vnet.add_route(ipaddress.IPv4Network("0.0.0.0/0"), lab.gateway, host=False)
    labnet.build(lab, lan)    # its machines live on in the LAN segment's ports


def _boot_bare_network(kernel: Kernel) -> Vnet:
    """A box before jailkit builds the lab: its uplink NIC and lo0 only;
    returns the uplink router."""
    uplink = Segment("uplink")
    address = ipaddress.IPv4Interface(UPLINK["address"])
    nic = kernel.add_physical(kernel.host_vnet, UPLINK["nic"], UPLINK["mac"],
                              media="autoselect (1000baseT <full-duplex>)", baudrate=1_000_000_000,
                              options=0x481009b, segment=uplink)
    loopback_up(kernel, kernel.attach_loopback(kernel.host_vnet))
    kernel.if_up(nic)
    kernel.add_inet(nic, address, address.network.broadcast_address, alias=True)
    kernel.host_vnet.add_route(ipaddress.IPv4Network("0.0.0.0/0"),
                               ipaddress.IPv4Address(UPLINK["router"]), host=False)
    router = labnet.machine("uplink router")
    labnet.port(router, "em0", UPLINK["router_mac"], ipaddress.IPv4Interface(f"{UPLINK['router']}/24"),
                uplink)
    return router


def loopback_up(kernel: Kernel, lo0: Loopback) -> None:
    """``ifconfig lo0 127.0.0.1 up`` (rc.d/netif): coming up, lo0 also
    gets ::1 and fe80::1 from the kernel."""
    kernel.if_up(lo0)
    kernel.add_inet(lo0, ipaddress.IPv4Interface("127.0.0.1/8"), None, alias=False)
