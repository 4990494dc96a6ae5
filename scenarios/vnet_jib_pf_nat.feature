@lab:vnet-jib-pf-nat
Feature: vnet-jib-pf-nat: a VNET jail behind the host's pf NAT, wired by jib
  "FreeBSD jails with VNET and NAT" (vnet-jib-pf-nat.txt) builds one VNET
  jail, jamulus, on a cloud VM with a single NIC (vtnet0) and one public
  address. A bridge with an address of its own (vtnet0bridge, 10.192.0.1/24)
  is the jails' router; pf NATs the bridge's network out of vtnet0 and
  redirects UDP port 22124 (jamulus's) to the jail; jib, from
  /usr/share/examples/jails, makes the jail's epair (e0a_jamulus on the
  bridge, e0b_jamulus in the jail) when jail(8) starts it and destroys it
  when it stops.

  These are its steps on FreeBSD 14. Where the howto is wrong or silent,
  the scenario shows what FreeBSD answers to the text as written, then the
  fix:
  - It installs jib from /usr/share/examples/jail/jib: the directory is
    jails/. install(1) makes the file executable itself (mode 755).
  - It never enables IP forwarding: the jail's packets reach the bridge and
    stop there. gateway_enable in rc.conf, or the sysctl now, fixes it.
  - It never enables pf: pf_enable in rc.conf, `service pf start` now.
  - Its jail.conf points at /jail/jamulus, which needs a FreeBSD world. A
    stand-in that needs no network gives it one: the host's own world,
    copied with cp -Rp (installworld's system flags kept), as qjail install
    copies it; on a box of one's own `bsdinstall jail` or `make installworld
    distribution DESTDIR=` do the same from media or sources.
  - `pkg -j jamulus install jamulus` cannot run offline. A UDP listener in
    the jail on jamulus's port (nc -u -l 22124) stands in for the server.
  - Its `sendmail_enable=“NONE”` lost a quote to the blog's typography; the
    line is written with plain quotes.
  Everything also goes into rc.conf, as the howto wants it at boot; the
  scenario does not reboot (around a real box the lab jailkit builds,
  vtnet0 included, does not survive a reboot): tests/test_sim_jib_howto_reboot.py
  reboots the sim with these files.
  The values come from the lab: <ext_if> is vtnet0 with the public address
  <host_ip>, <int_if> the bridge, <jail_ip> the jail; "the outside" that
  tests the rdr is <outside>, a machine on the internet. <...> stands for a
  value that differs from box to box (MACs, ports, times, the jid).

  Background:
    Given a FreeBSD host on the internet with its public address on the howto's NIC

  Scenario: The howto's steps: bridge, pf NAT, jib, the jail; out through the NAT, in through the rdr
    # Bridge Interface: the rc.conf lines, which take effect at boot.
    When I enter "sysrc cloned_interfaces+=bridge0 ifconfig_bridge0_name=vtnet0bridge ifconfig_vtnet0bridge='inet 10.192.0.1/24'"
    Then the output shows:
      """
      cloned_interfaces:  -> bridge0
      ifconfig_bridge0_name:  -> vtnet0bridge
      ifconfig_vtnet0bridge:  -> inet 10.192.0.1/24
      """
    # Now, without a reboot, as rc.d/netif would: the clone from
    # cloned_interfaces, then the rename and the address network.subr
    # applies (ifnet_rename, ifconfig_up).
    When I enter "service netif cloneup"
    Then the output shows:
      """
      Created clone interfaces: bridge0.
      """
    When I enter "ifconfig bridge0 name vtnet0bridge"
    Then the output shows:
      """
      vtnet0bridge
      """
    When I enter "ifconfig vtnet0bridge inet 10.192.0.1/24"
    And I enter "ifconfig vtnet0bridge"
    Then the output shows:
      """
      vtnet0bridge: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500
              ether <...>
              inet 10.192.0.1 netmask 0xffffff00 broadcast 10.192.0.255
              groups: bridge
      """

    # NAT: the howto's pf.conf. pfctl -n parses it without loading it.
    When I enter "cat > /etc/pf.conf" with this input:
      """
      ext_if="vtnet0"       # physical interface
      int_if="vtnet0bridge" # bridge interface

      nat pass on $ext_if from $int_if:network to any -> ($ext_if)
      rdr pass on $ext_if inet proto udp from any to $ext_if port 22124 -> 10.192.0.10
      """
    And I enter "pfctl -nf /etc/pf.conf"
    Then the command succeeds
    # The blank: pf is enabled at boot by rc.conf; service pf start loads
    # pf.ko, the rules from pf_rules (/etc/pf.conf by default) and enables it.
    When I enter "sysrc pf_enable=YES"
    Then the output shows:
      """
      pf_enable: NO -> YES
      """
    When I enter "service pf start"
    Then the output shows:
      """
      Enabling pf.
      """
    # pfctl prints the macros expanded, the bridge's network as an address,
    # and the dynamic ($ext_if) pool as round-robin.
    When I enter "pfctl -s nat"
    Then the output shows:
      """
      nat pass on <ext_if> inet from 10.192.0.0/24 to any -> (<ext_if>) round-robin
      rdr pass on <ext_if> inet proto udp from any to <host_ip> port = 22124 -> <jail_ip>
      """

    # Jail Configuration: the howto's install line, as written. The
    # directory is jails/, not jail/: install(1) says so and exits with
    # EX_OSERR.
    When I enter "install /usr/share/examples/jail/jib /usr/local/bin"
    Then the output shows:
      """
      install: /usr/share/examples/jail/jib: No such file or directory
      """
    And the command exits with status 71
    When I enter "install /usr/share/examples/jails/jib /usr/local/bin"
    Then the command succeeds
    # "It's also necessary to make it executable": install(1) already did
    # (its default mode is 0755).
    When I enter "ls -l /usr/local/bin/jib"
    Then the output shows:
      """
      -rwxr-xr-x  1 root  wheel  <...> /usr/local/bin/jib
      """

    # The blank: the jail's world, from the host's (see above).
    When I enter "mkdir -p /jail/jamulus/usr"
    And I enter "cp -Rp /bin /lib /libexec /sbin /etc /jail/jamulus/"
    And I enter "cp -Rp /usr/bin /usr/lib /usr/libdata /usr/libexec /usr/sbin /usr/share /jail/jamulus/usr/"
    And I enter "mkdir -p /jail/jamulus/dev /jail/jamulus/tmp /jail/jamulus/root /jail/jamulus/var/log /jail/jamulus/var/run /jail/jamulus/var/tmp /jail/jamulus/var/db /jail/jamulus/var/empty /jail/jamulus/var/cron/tabs"
    And I enter "chmod 1777 /jail/jamulus/tmp /jail/jamulus/var/tmp"
    And I enter "rm -f /jail/jamulus/etc/ssh/ssh_host_* /jail/jamulus/etc/jail.conf /jail/jamulus/etc/rc.conf"
    Then the command succeeds

    # The howto's /etc/jail.conf, as written.
    When I enter "cat > /etc/jail.conf" with this input:
      """
      jamulus {
              host.hostname = "jamulus.beastie.local";    # hostname
              path = "/jail/jamulus";                     # root directory
              exec.clean;                                 # clean environment variables
              mount.devfs;                                # mount devfs

              vnet;                                       # requires bridge called vtnet0bridge with assigned IP address
              vnet.interface = "e0b_jamulus";             # name of epair used inside the jail

              exec.prestart += "jib addm jamulus vtnet0"; # jamulus=e0a_jamulus (external epair), vtnet0=vtnet0bridge (bridge)
              exec.poststop += "jib destroy jamulus";

              exec.start += "/bin/sh /etc/rc";
              exec.stop = "/bin/sh /etc/rc.shutdown jail";

              exec.consolelog = "/var/log/jail_jamulus_console.log";
      }
      """

    # Jail Networking: the jail's own /etc/rc.conf.
    When I enter "cat > /jail/jamulus/etc/rc.conf" with this input:
      """
      defaultrouter="10.192.0.1"
      ifconfig_e0b_jamulus="10.192.0.10"
      sendmail_enable="NONE"
      """

    # Final touches: start it at boot, and now.
    When I enter "sysrc jail_enable=YES jail_list=jamulus"
    Then the output shows:
      """
      jail_enable: NO -> YES
      jail_list:  -> jamulus
      """
    When I enter "service jail start"
    Then the output shows:
      """
      Starting jails: jamulus.
      """
    When I enter "jls"
    Then the output shows:
      """
      JID  IP Address      Hostname                      Path
      <...> jamulus.beastie.local /jail/jamulus
      """
    # jib made the epair: e0a_jamulus on the bridge, its MAC derived from
    # vtnet0's (02: locally administered), e0b_jamulus lent to the jail.
    When I enter "jib show jamulus"
    Then the output shows:
      """
      e0a_jamulus
      """
    When I enter "ifconfig vtnet0bridge"
    Then the output shows:
      """
      vtnet0bridge: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
              inet 10.192.0.1 netmask 0xffffff00 broadcast 10.192.0.255
              member: e0a_jamulus flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
                      ifmaxaddr 0 port <...> priority 128 path cost 2000
      """
    # The jail's rc ran into exec.consolelog. The address without a mask
    # got the historical class A mask, and ifconfig says that is deprecated.
    When I enter "cat /var/log/jail_jamulus_console.log"
    Then the output shows:
      """
      ifconfig: WARNING: setting interface address without mask is deprecated,
      default mask may not be correct.
      add net default: gateway 10.192.0.1
      """

    # "Jump in" with jexec.
    When I enter "jexec jamulus sh"
    Then I am at the console of jail jamulus
    When I enter "ifconfig e0b_jamulus"
    Then the output shows:
      """
      e0b_jamulus: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
              ether <...>
              inet <jail_ip> netmask 0xff000000 broadcast 10.255.255.255
              groups: epair
              status: active
      """
    # The bridge, its router, answers.
    When I enter "ping -c 1 10.192.0.1"
    Then the command succeeds
    # "The jail can now access the internet": not yet. The host does not
    # forward between the bridge and vtnet0 (net.inet.ip.forwarding is 0),
    # so not even the name server behind it answers.
    When I enter "fetch -qo - http://<internet_host>/"
    Then the output shows:
      """
      fetch: http://<internet_host>/: Transient resolver failure
      """
    And the command fails
    When I enter "exit"
    Then I am back on the host

    # The fix: forward now, and at every boot (rc.d/routing reads
    # gateway_enable).
    When I enter "sysctl net.inet.ip.forwarding=1"
    Then the output shows:
      """
      net.inet.ip.forwarding: 0 -> 1
      """
    When I enter "sysrc gateway_enable=YES"
    Then the output shows:
      """
      gateway_enable: NO -> YES
      """
    When I enter "jexec jamulus sh"
    And I enter "fetch -qo - http://<internet_host>/"
    Then the output shows:
      """
      <...>FreeBSD<...>
      """
    When I enter "whois <whois_query>"
    Then the output shows:
      """
      domain:       <whois_query>
      """
    And the command succeeds

    # The jamulus stand-in: a UDP listener on port 22124 (pkg cannot
    # install jamulus offline). In the background, its input /dev/null as
    # sh gives it, its output to a file.
    When I enter "nc -u -l 22124 > /tmp/jamulus.log 2>&1 &"
    And I enter "exit"
    Then I am back on the host

    # Through pf's nat: the jail's connections leave from <host_ip>, from a
    # source port nat picks (50001-65535, as pf does without static-port).
    When I enter "pfctl -s state"
    Then the output shows:
      """
      all tcp <host_ip>:<...> (<jail_ip>:<...>) -> <...>:43 <...>
      """

    # "... and can be reached from the outside as well": from <outside>,
    # to the host's public address; the rdr hands the datagram to the jail.
    When on <outside> I enter "echo hello jamulus | nc -u -w 1 <host_ip> 22124"
    Then the command succeeds
    When I enter "jexec jamulus cat /tmp/jamulus.log"
    Then the output shows:
      """
      hello jamulus
      """
    When I enter "pfctl -s state"
    Then the output shows:
      """
      all udp <jail_ip>:22124 (<host_ip>:22124) <- <outside_ip>:<...> <...>
      """

    # service jail stop: the jail's rc.shutdown, then exec.poststop's jib
    # destroy takes the epair away; nothing of jib's is left.
    When I enter "service jail stop"
    Then the output shows:
      """
      Stopping jails: jamulus.
      """
    When I enter "ifconfig e0a_jamulus"
    Then the output shows:
      """
      ifconfig: interface e0a_jamulus does not exist
      """
    And the command fails
    When I enter "ifconfig e0b_jamulus"
    Then the output shows:
      """
      ifconfig: interface e0b_jamulus does not exist
      """
    And the command fails
