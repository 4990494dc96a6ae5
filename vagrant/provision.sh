#!/bin/sh
# Prepare the box for jailkit (runs once, as root, at the first vagrant up;
# running it again changes nothing).
set -eu

# A loader tunable has a dotted name, which sysrc(8) refuses (it takes only
# shell variable names): add the loader.conf(5) line NAME="VALUE" unless it
# is there already. The loader reads the file at boot; a later line wins.
loader_tunable() {
	line="$1=\"$2\""
	if ! grep -qxF "$line" /boot/loader.conf 2>/dev/null; then
		echo "$line" >> /boot/loader.conf
	fi
}

# Bridges and epairs would load on first use; load them now and at boot.
sysrc -f /boot/loader.conf if_bridge_load=YES if_epair_load=YES
kldload -n if_bridge if_epair

# ipfw's last rule denies by default, which would cut this very ssh session
# the moment the module loads. The tunable is read when the module loads:
# set it for this boot (kenv) and the next ones (loader.conf) first.
loader_tunable net.inet.ip.fw.default_to_accept 1
kenv net.inet.ip.fw.default_to_accept=1 > /dev/null

# The firewalls the howtos use; ipl is IPFilter, which the lab's gateway
# jail needs and a jail cannot load.
sysrc -f /boot/loader.conf ipfw_load=YES pf_load=YES pflog_load=YES ipl_load=YES
kldload -n ipfw pf pflog ipl

# ng_ether, for the netgraph howto: once loaded it holds a node on every
# Ethernet NIC, and the kernel refuses to unload it while any NIC exists
# (ng_ether.c MOD_UNLOAD; kldunload: Device busy), so a scenario that
# loaded it would leave the box changed. It is the box's from the start.
sysrc -f /boot/loader.conf ng_ether_load=YES
kldload -n ng_ether

# pf is loaded, not enabled: nothing is filtered until a scenario says so.
sysctl net.inet.ip.forwarding=0

# devd(8) starts dhclient on every new Ethernet interface that rc.conf calls
# a DHCP one, and the official boxes' ifconfig_DEFAULT="SYNCDHCP" calls them
# all so: the epairs of every jail would get a dhclient and the address
# 0.0.0.0. The NICs DHCP configured at this boot keep DHCP, by name; the
# default goes, so new interfaces get none.
default=$(sysrc -n ifconfig_DEFAULT 2>/dev/null || true)
if [ -n "$default" ]; then
	for pidfile in /var/run/dhclient/dhclient.*.pid; do
		[ -e "$pidfile" ] || continue
		nic=${pidfile#/var/run/dhclient/dhclient.}
		nic=${nic%.pid}
		sysrc -n "ifconfig_$nic" > /dev/null 2>&1 || sysrc "ifconfig_$nic=$default"
	done
	sysrc -x ifconfig_DEFAULT
fi
