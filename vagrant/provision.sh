#!/bin/sh
# Prepare the box for jailkit (runs once, as root, at the first vagrant up).
set -eu

# Bridges and epairs would load on first use; load them now and at boot.
sysrc -f /boot/loader.conf if_bridge_load=YES if_epair_load=YES
kldload -n if_bridge if_epair

# The firewalls the howtos use. ipfw's last rule denies by default, which
# would cut this very ssh session: make it accept before the module loads.
sysrc -f /boot/loader.conf net.inet.ip.fw.default_to_accept=1 ipfw_load=YES \
    pf_load=YES pflog_load=YES ipl_load=YES
kenv net.inet.ip.fw.default_to_accept=1
kldload -n ipfw pf pflog ipl

# pf is loaded, not enabled: nothing is filtered until a scenario says so.
sysctl net.inet.ip.forwarding=0
