@lab:jails-and-networking
Feature: jails-and-networking: every way to put a jail on a network, on FreeBSD 14
  "FreeBSD Jails And Networking" (jails-and-networking.txt, written for
  FreeBSD 13.0) surveys the ways a jail reaches a network: IP sharing with
  the host, a NIC of its own, epair(4) as a point-to-point link or on an
  if_bridge(4), netgraph(4) with ng_ether, ng_bridge and ng_eiface, and
  if_lagg(4) under all of it. Each scenario is one section, on a server with
  three igb(4) NICs on one LAN (igb0 the host's own, igb1 and igb2 free).

  The article lost its addresses and parts of its files on the way to the
  page; the blanks are filled from the lab (<lan_nic>, <host_ip>, <gateway>,
  <jail_nic>, <lagg_port>, <jail_ip>) and said so where they are. Its jails
  need a world: the host's own, copied with cp -Rp (the stand-in of
  vnet-jib-pf-nat; `bsdinstall jail` on a box of one's own). Where FreeBSD
  14 answers its text differently, the scenario shows the answer, then the
  fix; which of its 13.0 statements still hold on 14 is said at each one.
  <...> stands for what differs from box to box (MACs, ports, jids, times).
  Around a real box the lab's igbN are epair ends (their media and options
  lines differ), so no step here checks those lines.

  Its 13.0 statements on 14, in short: still true are the jail's first
  address as its loopback, the host able to use and bind the jails'
  addresses, wildcard binds answering for them, a NIC vanishing into its
  jail and coming back only after TIME_WAIT, ng_eiface taking the first
  free unit, and lagg failover dropping frames from the wrong port; no
  longer, or never, true are traffic to a jail's lo1 address going over lo0
  (it goes over lo1), its rc.d script as printed (kld_load, "ng_bridge",
  indented comments), and the eifaces vanishing with their bridge. The
  article's lost DAD workarounds are FreeBSD 14's dad_count and no_dad.

  Background:
    Given a FreeBSD server with the article's NICs on its LAN
    And a jail world at /jail/www, the host's own copied

  Scenario: IP sharing: a jail on lo1 behind the host's pf nat and rdr, then on the NIC too; the caveats
    # The article's jails sit on addresses of lo0 ("lo0|", the addresses
    # lost); a cloned lo1 keeps them off the host's own loopback, as
    # qjail-howto does. The jail has no vnet: it shares the host's stack.
    When I enter "ifconfig lo1 create"
    And I enter "sysrc cloned_interfaces+=lo1"
    # The jail's web server: the base-system stand-in for apache24 that
    # qjail-howto's feature uses (inetd runs a script that says "It works!").
    And I enter "mkdir -p /jail/www/usr/local/libexec"
    And I enter "cat > /jail/www/usr/local/libexec/itworks" with this input:
      """
      #!/bin/sh
      # Stands in for apache24: inetd(8) runs this for each connection to
      # port 80, with the request on standard input.
      while read -r line; do
      	case $line in
      	""|"$(printf '\r')") break ;;
      	esac
      done
      printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nIt works!\n'
      """
    And I enter "chmod 555 /jail/www/usr/local/libexec/itworks"
    And I enter "echo 'http stream tcp nowait www /usr/local/libexec/itworks itworks' >> /jail/www/etc/inetd.conf"
    And I enter "echo 'inetd_enable="YES"' > /jail/www/etc/rc.conf"
    When I enter "cat > /etc/jail.conf" with this input:
      """
      www {
        path = "/jail/www";
        host.hostname = "www.lan";
        mount.devfs;
        exec.clean;
        exec.start = "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        ip4.addr += "lo1|10.0.0.3";
      }
      """
    And I enter "jail -c www"
    Then the output shows:
      """
      www: created
      """
    # jail(8) put the address on lo1; the jail's inetd listens on it alone.
    When I enter "sockstat -4l -p 80"
    Then the output shows:
      """
      root     inetd      <...> tcp4   10.0.0.3:80           *:*
      """
    # Without translation the jail is cut off: its packets leave
    # <lan_nic> from 10.0.0.3, and nothing on the LAN routes back to it,
    # not even the answer of the resolver (libfetch's words for EAI_AGAIN).
    When I enter "jexec www fetch -T 3 -o - http://<internet_host>/"
    Then the output shows:
      """
      fetch: http://<internet_host>/: Transient resolver failure
      """
    # The article's pf.conf, its lost addresses filled in.
    When I enter "cat > /etc/pf.conf" with this input:
      """
      ext_if = "<lan_nic>"
      nat on $ext_if from 10.0.0.0/24 -> $ext_if:0
      rdr on $ext_if proto tcp to $ext_if:0 port 80 -> 10.0.0.3
      """
    And I enter "service pf onestart"
    And I enter "pfctl -s nat"
    Then the output shows:
      """
      nat on <lan_nic> inet from 10.0.0.0/24 to any -> <host_ip>
      rdr on <lan_nic> inet proto tcp from any to <host_ip> port = http -> 10.0.0.3
      """
    When I enter "jexec www fetch -o - http://<internet_host>/"
    Then the output shows:
      """
      <...>FreeBSD<...>
      """
    # From the LAN (its gateway), the host's address on port 80 is the
    # jail's web server, through the rdr.
    When on gateway.lan I enter "fetch -o - http://<host_ip>/"
    Then the output shows:
      """
      It works!
      """
    # The second form: an address on the NIC as well, the loopback one
    # first ("the ordering of these addresses is significant").
    When I enter "jail -r www"
    And I enter "cat > /etc/jail.conf" with this input:
      """
      www {
        path = "/jail/www";
        host.hostname = "www.lan";
        mount.devfs;
        exec.clean;
        exec.start = "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        ip4.addr += "lo1|10.0.0.3";
        ip4.addr += "<lan_nic>|<shared_ip>";
      }
      """
    And I enter "jail -c www"
    Then the output shows:
      """
      www: created
      """
    # The first address is the jail's loopback: a daemon in the jail
    # binding 127.0.0.1 gets 10.0.0.3, not the host's (prison_local_ip4),
    # still true on 14. Listed the other way round, it would face the LAN.
    When I enter "jexec www sh -c 'nc -l 127.0.0.1 7000 > /dev/null 2>&1 &'"
    And I enter "sockstat -4l -p 7000"
    Then the output shows:
      """
      root     nc         <...> tcp4   10.0.0.3:7000         *:*
      """
    # "All traffic between jails will occur over lo0": the host reaches
    # the jail's NIC address through lo0 (and lo1's through lo1), never
    # through <lan_nic>; firewall rules must be written for those.
    When I enter "route -n get <shared_ip>"
    Then the output shows:
      """
      interface: lo0
      """
    When I enter "route -n get 10.0.0.3"
    Then the output shows:
      """
      interface: lo1
      """
    # "The host can freely use these addresses": it sends from the jail's.
    When I enter "ping -c 1 -S <shared_ip> <gateway>"
    Then the output shows:
      """
      PING <gateway> (<gateway>) from <shared_ip>: 56 data bytes
      64 bytes from <gateway>: icmp_seq=0 ttl=64 time=<...> ms
      """
    # Wildcard bindings: the host's sshd listens on *:22, so port 22 of the
    # jail's address answers with the host's sshd; the jail runs none.
    When I enter "jexec www sockstat -4l -p 22"
    Then the output shows:
      """
      USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS
      """
    When on gateway.lan I enter "nc -z <shared_ip> 22"
    Then the command succeeds
    When I enter "jail -r www"
    Then the output shows:
      """
      www: removed
      """

  Scenario: IPv6 DAD: a jail's daemon on a tentative address, and FreeBSD 14's two ways around it
    # The article's two workarounds were lost from its page; these are
    # FreeBSD 14's. <lan_nic> gets IPv6 (rc's network.subr would, for an
    # ifconfig_<lan_nic>_ipv6 line) and the jail an address there.
    When I enter "ifconfig <lan_nic> inet6 -ifdisabled"
    And I enter "cat > /etc/jail.conf" with this input:
      """
      www {
        path = "/jail/www";
        host.hostname = "www.lan";
        persist;
        ip6.addr += "<lan_nic>|2001:db8::3";
      }
      """
    And I enter "jail -c www"
    # jail(8) adds the alias as ifconfig does (command.c), with duplicate
    # address detection: the address is tentative for net.inet6.ip6.dad_count
    # probes a second apart...
    And I enter "ifconfig <lan_nic> inet6"
    Then the output shows:
      """
              inet6 2001:db8::3 prefixlen 128 tentative
      """
    # ...and a daemon started now cannot bind it (in6_pcbbind).
    When I enter "jexec www nc -l 2001:db8::3 8080"
    Then the output shows:
      """
      nc: Can't assign requested address
      """
    And the command exits with status 1
    When I enter "sleep 2"
    And I enter "ifconfig <lan_nic> inet6"
    Then the output shows:
      """
              inet6 2001:db8::3 prefixlen 128
      """
    # DAD done, the same daemon binds.
    When I enter "jexec www sh -c 'nc -l 2001:db8::3 8080 > /dev/null 2>&1 &'"
    And I enter "sockstat -6l -p 8080"
    Then the output shows:
      """
      root     nc         <...> tcp6   2001:db8::3:8080      *:*
      """
    When I enter "jail -r www"
    # Way one: no DAD at all on this host (and its classic jails).
    When I enter "sysctl net.inet6.ip6.dad_count=0"
    Then the output shows:
      """
      net.inet6.ip6.dad_count: 1 -> 0
      """
    When I enter "jail -c www"
    And I enter "ifconfig <lan_nic> inet6"
    Then the output shows:
      """
              inet6 2001:db8::3 prefixlen 128
      """
    When I enter "jail -r www"
    And I enter "sysctl net.inet6.ip6.dad_count=1"
    # Way two: no DAD on this interface only (rc.conf: no_dad in its
    # ifconfig_<lan_nic>_ipv6 line).
    When I enter "ifconfig <lan_nic> inet6 no_dad"
    And I enter "jail -c www"
    And I enter "ifconfig <lan_nic> inet6"
    Then the output shows:
      """
              inet6 2001:db8::3 prefixlen 128
              nd6 options=<...>NO_DAD<...>
      """
    When I enter "jail -r www"
    And I enter "ifconfig <lan_nic> inet6 -no_dad ifdisabled"
    Then the command succeeds

  Scenario: A NIC of the jail's own: vnet.interface += "igb2", back when the jail is gone
    When I enter "cat > /etc/jail.conf" with this input:
      """
      www {
        path = "/jail/www";
        host.hostname = "www.lan";
        mount.devfs;
        exec.clean;
        exec.start = "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        vnet;
        vnet.interface += "<jail_nic>";
      }
      """
    # The article's line in the jail's own rc.conf.
    When I enter "echo 'ifconfig_<jail_nic>_ipv6="inet6 accept_rtadv"' > /jail/www/etc/rc.conf"
    And I enter "jail -c www"
    Then the output shows:
      """
      www: created
      Starting Network: lo0 <jail_nic>.
      """
    # "said interface completely disappears from the host": still true.
    When I enter "ifconfig <jail_nic>"
    Then the output shows:
      """
      ifconfig: interface <jail_nic> does not exist
      """
    And the command exits with status 1
    # Inside, a normal set of interfaces, as the article shows them; its
    # pflog0 came from the author's pf, which this jail does not run. rc.d
    # netif brought igb2 up and set ACCEPT_RTADV from the jail's rc.conf.
    When I enter "jexec www ifconfig"
    Then the output shows:
      """
      lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384
              inet6 ::1 prefixlen 128
              inet6 fe80::1%lo0 prefixlen 64 scopeid <...>
              inet 127.0.0.1 netmask 0xff000000
              groups: lo
              nd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>
      <jail_nic>: flags=<...><UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST<...>> metric 0 mtu 1500
              ether <jail_nic_mac>
              status: active
              nd6 options=23<PERFORMNUD,ACCEPT_RTADV,AUTO_LINKLOCAL>
      """
    # "returned to the host's control... eventually": the jail served no
    # TCP connection, so nothing sits in TIME_WAIT and the NIC is back at
    # once. With one, 14 still waits 2*MSL (60 s) for it, as 13.0 did.
    When I enter "jail -r www"
    Then the output shows:
      """
      www: removed
      """
    When I enter "ifconfig <jail_nic>"
    Then the output shows:
      """
      <jail_nic>: flags=<...> metric 0 mtu 1500
              ether <jail_nic_mac>
      """

  Scenario: epair as a point-to-point link: the host routes the jail's network and translates it
    When I enter "cat > /etc/jail.conf" with this input:
      """
      www {
        path = "/jail/www";
        host.hostname = "www.lan";
        mount.devfs;
        exec.clean;
        exec.start = "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        vnet;
        vnet.interface += "epair0b";
      }
      """
    # The article's rc.conf line lost its address: a /30 is filled in.
    # rc.d/netif's clone_up creates the epair without hiding ifconfig's
    # answer, so the new name is printed first.
    When I enter "sysrc cloned_interfaces+=epair0 ifconfig_epair0a="inet 10.0.1.1/30 up""
    Then the output shows:
      """
      cloned_interfaces:  -> epair0
      ifconfig_epair0a:  -> inet 10.0.1.1/30 up
      """
    When I enter "service netif cloneup"
    Then the output shows:
      """
      epair0a
      Created clone interfaces: epair0a epair0b.
      """
    When I enter "service netif start epair0a"
    Then the output shows:
      """
      Starting Network: epair0a.
      epair0a: flags=<...><UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST<...>> metric 0 mtu 1500
              inet 10.0.1.1 netmask 0xfffffffc broadcast 10.0.1.3
      """
    # The jail's end: its address and its route to the host.
    When I enter "cat > /jail/www/etc/rc.conf" with this input:
      """
      ifconfig_epair0b="inet 10.0.1.2/30"
      defaultrouter="10.0.1.1"
      """
    And I enter "jail -c www"
    Then the output shows:
      """
      www: created
      Starting Network: lo0 epair0b.
      add net default: gateway 10.0.1.1
      """
    When I enter "jexec www ping -c 1 -t 2 10.0.1.1"
    Then the output shows:
      """
      64 bytes from 10.0.1.1: icmp_seq=0 ttl=64 time=<...> ms
      """
    # "performing routing and translation as necessary": without them the
    # gateway is out of reach. The host does not forward yet...
    When I enter "jexec www ping -c 1 -t 2 <gateway>"
    Then the output shows:
      """
      1 packets transmitted, 0 packets received, 100.0% packet loss
      """
    And the command exits with status 2
    When I enter "sysrc gateway_enable=YES"
    And I enter "sysctl net.inet.ip.forwarding=1"
    Then the output shows:
      """
      net.inet.ip.forwarding: 0 -> 1
      """
    # ...and forwarding alone is not enough: the gateway has no route back
    # to 10.0.1.0/30. pf translates the jail's network to the host's
    # address.
    When I enter "jexec www ping -c 1 -t 2 <gateway>"
    Then the command exits with status 2
    When I enter "echo 'nat on <lan_nic> from epair0a:network -> <lan_nic>:0' > /etc/pf.conf"
    And I enter "service pf onestart"
    Then the output shows:
      """
      Enabling pf.
      """
    When I enter "pfctl -s nat"
    Then the output shows:
      """
      nat on <lan_nic> inet from 10.0.1.0/30 to any -> <host_ip>
      """
    When I enter "jexec www ping -c 1 -t 2 <gateway>"
    Then the output shows:
      """
      64 bytes from <gateway>: icmp_seq=0 ttl=63 time=<...> ms
      """
    When I enter "jail -r www"
    Then the output shows:
      """
      www: removed
      """

  Scenario: epair on an if_bridge from rc.conf, and the bridge's pfil sysctls
    When I enter "cat > /etc/jail.conf" with this input:
      """
      www {
        path = "/jail/www";
        host.hostname = "www.lan";
        mount.devfs;
        exec.clean;
        exec.start = "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        vnet;
        vnet.interface += "epair0b";
      }
      """
    # The article's two lines, as written.
    When I enter "sysrc cloned_interfaces+="bridge0 epair0" ifconfig_bridge0="addm <lan_nic> addm epair0a up""
    Then the output shows:
      """
      cloned_interfaces:  -> bridge0 epair0
      ifconfig_bridge0:  -> addm <lan_nic> addm epair0a up
      """
    When I enter "service netif cloneup"
    Then the output shows:
      """
      Created clone interfaces: bridge0 epair0a epair0b.
      """
    When I enter "service netif start bridge0"
    Then the output shows:
      """
      bridge0: flags=<...><UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST<...>> metric 0 mtu 1500
              member: epair0a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
              member: <lan_nic> flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
      """
    # What the two lines leave out: addm does not bring a member up, and
    # epair0a has no line of its own, so it stays down (no UP in its
    # flags) and the jail would hear nothing.
    When I enter "ifconfig epair0a"
    Then the output shows:
      """
      epair0a: flags=<...><BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST<...>> metric 0 mtu 1500
      """
    When I enter "sysrc ifconfig_epair0a=up"
    And I enter "service netif start epair0a"
    Then the output shows:
      """
      epair0a: flags=<...><UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST<...>> metric 0 mtu 1500
      """
    # The jail is on the LAN itself, with an address of its own there.
    When I enter "cat > /jail/www/etc/rc.conf" with this input:
      """
      ifconfig_epair0b="inet <jail_ip>/24"
      defaultrouter="<gateway>"
      """
    And I enter "jail -c www"
    Then the output shows:
      """
      www: created
      """
    When I enter "jexec www ping -c 1 -t 2 <gateway>"
    Then the output shows:
      """
      64 bytes from <gateway>: icmp_seq=0 ttl=64 time=<...> ms
      """
    When I enter "jexec www fetch -o - http://<internet_host>/"
    Then the output shows:
      """
      <...>FreeBSD<...>
      """
    # "it took me several readings through the if_bridge man page": the
    # sysctls decide which interfaces' rules see bridged traffic. On 14 the
    # defaults are as on 13.0: each member's rules (pfil_member), not the
    # bridge's, IP only.
    When I enter "sysctl net.link.bridge.pfil_member net.link.bridge.pfil_bridge net.link.bridge.pfil_onlyip net.link.bridge.pfil_local_phys"
    Then the output shows:
      """
      net.link.bridge.pfil_member: 1
      net.link.bridge.pfil_bridge: 0
      net.link.bridge.pfil_onlyip: 1
      net.link.bridge.pfil_local_phys: 0
      """
    # So a host rule on <lan_nic> also stops the jail's bridged packets...
    When I enter "echo 'block in quick on <lan_nic> proto icmp' > /etc/pf.conf"
    And I enter "service pf onestart"
    And I enter "jexec www ping -c 1 -t 2 <gateway>"
    Then the output shows:
      """
      1 packets transmitted, 0 packets received, 100.0% packet loss
      """
    # ...until the sysctls are off, the article's way: then the host's
    # rules on <lan_nic> are its own traffic's only, and the jail's
    # packets answer to the jail's own firewall on epair0b.
    When I enter "sysctl net.link.bridge.pfil_member=0 net.link.bridge.pfil_onlyip=0"
    Then the output shows:
      """
      net.link.bridge.pfil_member: 1 -> 0
      net.link.bridge.pfil_onlyip: 1 -> 0
      """
    When I enter "jexec www ping -c 1 -t 2 <gateway>"
    Then the output shows:
      """
      64 bytes from <gateway>: icmp_seq=0 ttl=64 time=<...> ms
      """
    When I enter "ping -c 1 -t 2 <gateway>"
    Then the command exits with status 2
    When I enter "jail -r www"
    Then the output shows:
      """
      www: removed
      """

  Scenario: netgraph: the article's rc.d script, ngeth interfaces for jails, getifname and expr
    # The article's script, as written, in the file it names. Its page kept
    # only the two functions; rc.subr's frame around them (name, rcvar,
    # start_cmd, stop_cmd, load_rc_config, run_rc_command) is filled in.
    When I enter "mkdir -p /usr/local/etc/rc.d"
    And I enter "cat > /usr/local/etc/rc.d/netgraph" with this input:
      """
      #!/bin/sh
      # PROVIDE: netgraph
      # BEFORE: netif

      . /etc/rc.subr

      name="netgraph"
      rcvar="netgraph_enable"
      start_cmd="netgraph_start"
      stop_cmd="netgraph_stop"

      netgraph_start() {
        # Ensure the kernel modules are loaded
        kld_load ng_bridge ng_eiface ng_ether
        # Destroy any lingering pieces
        ngctl shutdown bridge0:
        ngctl shutdown bridge1:
        # Create the graph
        ngctl -f- <<EOF
          # Create the bridge by extending from the hardware device.
          mkpeer <lan_nic>: ng_bridge lower link0
          # Bridges don't have a name by default, so assign it one.
          name <lan_nic>:lower bridge0
          # With our bridge now named, we can finish connecting the hardware device.
          connect <lan_nic>: bridge0: upper link1
          # Create three synthetic devices and connect them to the bridge.
          mkpeer bridge0: ng_eiface link2 ether
          mkpeer bridge0: ng_eiface link3 ether
          mkpeer bridge0: ng_eiface link4 ether

          # For a virtual network, we can use ngctl's control socket as an anchor.
          mkpeer . ng_bridge virt link0
          name virt bridge1
          # Gaps in the hook sequence are acceptable (e.g. no link0 or link1).
          mkpeer bridge1: ng_eiface link2 ether
          mkpeer bridge1: ng_eiface link3 ether
          mkpeer bridge1: ng_eiface link4 ether
      EOF
      }

      netgraph_stop() {
        # All the instances of eiface will vanish once the bridge is gone
        ngctl shutdown bridge0:
        ngctl shutdown bridge1:
      }

      load_rc_config $name
      run_rc_command "$1"
      """
    And I enter "chmod 555 /usr/local/etc/rc.d/netgraph"
    # rc.subr wants its knob first.
    And I enter "service netgraph start"
    Then the output shows:
      """
      Cannot 'start' netgraph. Set netgraph_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.
      """
    When I enter "sysrc netgraph_enable=YES"
    And I enter "service netgraph start"
    # On 14 the script fails three times over: rc.subr's function is
    # load_kld (one module a call), ngctl reads a comment only where '#' is
    # the line's first character (ngctl/main.c ReadFile), so the indented
    # one stops the file at line 1 (and after it, mkpeer's node types are
    # "bridge" and "eiface": "ng_bridge" is not a type).
    Then the output shows:
      """
      /usr/local/etc/rc.d/netgraph: kld_load: not found
      ngctl: send msg: No such file or directory
      ngctl: "#": unknown command
      ngctl: line 1: error in file
      """
    And the command exits with status 1
    # The script with those three fixed. It also sets <lan_nic>
    # promiscuous, which the article leaves out: the NIC's own filter
    # drops frames for the ngeth interfaces' addresses otherwise (as
    # share/examples/netgraph/ether.bridge does with setpromisc).
    When I enter "cat > /usr/local/etc/rc.d/netgraph" with this input:
      """
      #!/bin/sh
      # PROVIDE: netgraph
      # BEFORE: netif

      . /etc/rc.subr

      name="netgraph"
      rcvar="netgraph_enable"
      start_cmd="netgraph_start"
      stop_cmd="netgraph_stop"

      netgraph_start() {
        load_kld ng_bridge
        load_kld ng_eiface
        load_kld ng_ether
        ngctl shutdown bridge0: 2>/dev/null
        ngctl shutdown bridge1: 2>/dev/null
        ngctl -f- <<EOF
      # Create the bridge by extending from the hardware device.
      mkpeer <lan_nic>: bridge lower link0
      name <lan_nic>:lower bridge0
      connect <lan_nic>: bridge0: upper link1
      msg <lan_nic>: setpromisc 1
      mkpeer bridge0: eiface link2 ether
      mkpeer bridge0: eiface link3 ether
      mkpeer bridge0: eiface link4 ether

      # A virtual network, anchored on ngctl's control socket.
      mkpeer . bridge virt link0
      name virt bridge1
      mkpeer bridge1: eiface link2 ether
      mkpeer bridge1: eiface link3 ether
      mkpeer bridge1: eiface link4 ether
      EOF
      }

      netgraph_stop() {
        ngctl shutdown bridge0:
        ngctl shutdown bridge1:
      }

      load_rc_config $name
      run_rc_command "$1"
      """
    And I enter "service netgraph start"
    Then the command succeeds
    # ng_eiface takes the first free unit: ngeth0 to ngeth2 on bridge0,
    # ngeth3 to ngeth5 on bridge1; ng_ether named a node after every NIC.
    When I enter "ngctl list"
    Then the output shows:
      """
        Name: <lan_nic>            Type: ether           ID: <...>   Num hooks: 2
        Name: bridge0         Type: bridge          ID: <...>   Num hooks: 5
        Name: ngeth0          Type: eiface          ID: <...>   Num hooks: 1
        Name: bridge1         Type: bridge          ID: <...>   Num hooks: 3
        Name: ngeth5          Type: eiface          ID: <...>   Num hooks: 1
      """
    When I enter "ngctl show bridge0:"
    Then the output shows:
      """
        link2           ngeth0          eiface       <...>        ether
        link1           <lan_nic>            ether        <...>        upper
        link0           <lan_nic>            ether        <...>        lower
      """
    # The article's jail.conf: one interface on each graph.
    When I enter "cat > /etc/jail.conf" with this input:
      """
      www {
        path = "/jail/www";
        host.hostname = "www.lan";
        mount.devfs;
        exec.clean;
        exec.start = "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        vnet;
        vnet.interface += "ngeth0";
        vnet.interface += "ngeth3";
      }
      """
    And I enter "cat > /jail/www/etc/rc.conf" with this input:
      """
      ifconfig_ngeth0="inet <jail_ip>/24"
      defaultrouter="<gateway>"
      """
    And I enter "jail -c www"
    Then the output shows:
      """
      www: created
      Starting Network: lo0 ngeth0 ngeth3.
      """
    # Through bridge0 and <lan_nic>'s lower hook the jail is on the LAN;
    # through upper it reaches the host's own stack.
    When I enter "jexec www ping -c 1 -t 2 <gateway>"
    Then the output shows:
      """
      64 bytes from <gateway>: icmp_seq=0 ttl=64 time=<...> ms
      """
    When I enter "ping -c 1 -t 2 <jail_ip>"
    Then the output shows:
      """
      64 bytes from <jail_ip>: icmp_seq=0 ttl=64 time=<...> ms
      """
    When I enter "jexec www fetch -o - http://<internet_host>/"
    Then the output shows:
      """
      <...>FreeBSD<...>
      """
    # Friendly names for the rest, and getifname with expr(1), as written.
    When I enter "ifconfig ngeth1 name phys1"
    Then the output shows:
      """
      phys1
      """
    When I enter "ngctl msg bridge1:link3 getifname"
    Then the output shows:
      """
      Rec'd response "getifname" (1) from "[<...>]:":
      Args:   "ngeth4"
      """
    When I enter "iface=$(expr "$(ngctl msg bridge1:link3 getifname)" : '.*Args:.*"\([a-zA-Z]*[0-9]*\)"'); ifconfig "${iface}" name virt1"
    Then the output shows:
      """
      virt1
      """
    When I enter "jail -r www"
    Then the output shows:
      """
      www: removed
      """
    # "All the instances of eiface will vanish once the bridge is gone": not
    # on 14. Shutting a bridge down cuts its hooks; each ng_eiface node and
    # its interface stay, unconnected.
    When I enter "service netgraph stop"
    And I enter "ifconfig -l"
    Then the output shows:
      """
      <...>phys1<...>virt1<...>
      """
    When I enter "ngctl list"
    Then the output shows:
      """
        Name: ngeth0          Type: eiface          ID: <...>   Num hooks: 0
      """

  Scenario: lagg: failover under the jails' bridge, the article's own arrangement
    # The article's line alone creates nothing: rc.d/netif makes only what
    # cloned_interfaces names, so ifconfig finds no lagg0 to configure.
    # <lan_nic> keeps the host's address here; the lab's two free NICs,
    # <lagg_port> and <jail_nic>, take the places of igb0 and igb1, as the
    # article's "second lagg device for the virtual devices".
    When I enter "sysrc ifconfig_lagg0="laggport <lagg_port> laggport <jail_nic> up""
    And I enter "service netif start lagg0"
    Then the output shows:
      """
      ifconfig: interface lagg0 does not exist
      """
    # Ports come up only from their own lines; the protocol is failover.
    When I enter "sysrc cloned_interfaces+="lagg0 bridge0 epair0" ifconfig_<lagg_port>=up ifconfig_<jail_nic>=up ifconfig_lagg0="laggproto failover laggport <lagg_port> laggport <jail_nic> up" ifconfig_bridge0="addm lagg0 addm epair0a up" ifconfig_epair0a=up"
    And I enter "service netif cloneup"
    Then the output shows:
      """
      Created clone interfaces: lagg0 bridge0 epair0a epair0b.
      """
    When I enter "service netif start <lagg_port> <jail_nic> lagg0 bridge0 epair0a"
    And I enter "ifconfig lagg0"
    Then the output shows:
      """
      lagg0: flags=<...><UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST<...>> metric 0 mtu 1500
              laggproto failover lagghash l2,l3,l4
              laggport: <lagg_port> flags=5<MASTER,ACTIVE>
              laggport: <jail_nic> flags=0<>
              groups: lagg
              status: active
      """
    When I enter "cat > /etc/jail.conf" with this input:
      """
      www {
        path = "/jail/www";
        host.hostname = "www.lan";
        mount.devfs;
        exec.clean;
        exec.start = "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        vnet;
        vnet.interface += "epair0b";
      }
      """
    And I enter "cat > /jail/www/etc/rc.conf" with this input:
      """
      ifconfig_epair0b="inet <jail_ip>/24"
      defaultrouter="<gateway>"
      """
    And I enter "jail -c www"
    And I enter "jexec www ping -c 1 -t 2 <gateway>"
    Then the output shows:
      """
      64 bytes from <gateway>: icmp_seq=0 ttl=64 time=<...> ms
      """
    # The primary port goes: failover makes the next one active, and the
    # jail's traffic follows it.
    When I enter "ifconfig <lagg_port> down"
    And I enter "ifconfig lagg0"
    Then the output shows:
      """
      lagg0: flags=<...> metric 0 mtu 1500
              laggport: <lagg_port> flags=1<MASTER>
              laggport: <jail_nic> flags=4<ACTIVE>
      """
    When I enter "jexec www ping -c 1 -t 2 <gateway>"
    Then the output shows:
      """
      64 bytes from <gateway>: icmp_seq=0 ttl=64 time=<...> ms
      """
    # The article's caveat: failover still takes frames only from the
    # active port on 14 (if_lagg.c lagg_fail_input), unless this is 1.
    When I enter "sysctl net.link.lagg.failover_rx_all"
    Then the output shows:
      """
      net.link.lagg.failover_rx_all: 0
      """
    When I enter "jail -r www"
    Then the output shows:
      """
      www: removed
      """
