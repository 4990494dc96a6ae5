Feature: qjail-vnet-howto: a VIMAGE vnet jail bridged onto the LAN
  qjail-vnet-howto(8) (Joe Barbish, FreeBSD 11.0, February 2017) uses qjail to
  build one vnet jail, v10: its epair1b end lives in the jail, epair1a sits on
  bridge10 together with the host's LAN NIC, and the jail pings out.

  These are its steps on FreeBSD 14. What 14 prints differently from the
  howto's 11.0 transcripts, and why:
  - Interface flags carry LOWER_UP (0x1000000, the link state, printed by the
    netlink ifconfig of 14), bridge members carry AUTOPTP (0x100).
  - New epairs start with IPv6 disabled (nd6 options IFDISABLED), so the
    howto's "inet6 fe80::...%epair1a" lines are gone.
  - The bridge block comes before "groups: bridge"; "fwddwlay" and
    "holdcut 5" in the howto are misprints of "fwddelay 15" and "holdcnt 6".
  - VIMAGE is in GENERIC since 12.0: no kernel to compile.
  The howto's addresses were lost upstream; they come from the lab:
  <lan_nic>, <host_ip>, <gateway>, <jail_ip>. <...> stands for a value that
  differs from box to box (MAC addresses, port numbers, times, the jid).

  Background:
    Given a FreeBSD host with VIMAGE on the howto's LAN

  Scenario: Steps 1 to 11: build vnet jail v10 and ping the gateway from it
    # Step 1 installs the qjail port. jailkit plays qjail itself (its verbs,
    # messages and files, issuing FreeBSD commands), so no package is fetched:
    # the sim has no package repository, and on a real box the scenarios test
    # FreeBSD, not the port's script.
    Given step 1 "pkg install qjail" is played by jailkit's qjail

    # Step 2: the qjail environment; the shared base comes from the host's world.
    When I enter "qjail install"
    Then qjail says "Successfully installed qjail system."

    # Step 3: a directory tree jail with the address used to reach it.
    When I enter "qjail create -4 <jail_ip> v10"
    Then qjail says "Successfully created  v10"

    # Step 4: make it a vnet jail on the LAN NIC, with no firewall inside.
    When I enter "qjail config -w <lan_nic> -v none v10"
    Then the output shows:
      """
      Successfully enabled vnet.interface for v10
      Successfully enabled vnet for v10
      """
    And the command succeeds

    # Step 5
    When I enter "qjail start v10"
    Then qjail says "Jail successfully started  v10"

    # Step 6: the host's network. bridge10 holds the NIC and epair1a (the 1 is
    # v10's permanent vnet number); the NIC's media and path cost depend on
    # the NIC (fxp(4) is 100baseTX, path cost 200000).
    When I enter "ifconfig -a"
    Then the output shows:
      """
      <lan_nic>: flags=1008943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
              ether <host_mac>
              inet <host_ip> netmask <lan_netmask> broadcast <lan_broadcast>
              media: Ethernet <...>
              status: active
      bridge10: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
              ether <...>
              id 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15
              maxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200
              root id 00:00:00:00:00:00 priority 32768 ifcost 0 port 0
              member: epair1a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
                      ifmaxaddr 0 port <...> priority 128 path cost 2000
              member: <lan_nic> flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
                      ifmaxaddr 0 port <...> priority 128 path cost <...>
              groups: bridge
              nd6 options=9<PERFORMNUD,IFDISABLED>
      epair1a: flags=1008943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
              options=8<VLAN_MTU>
              ether <...>
              groups: epair
              media: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)
              status: active
              nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>
      """

    # Step 7: D directory tree jail, R running, V vnet, 0 no firewall inside;
    # then the jid (the howto's was 7: its seventh jail start since boot).
    When I enter "qjail list"
    Then the output shows:
      """
      STATUS JID  NIC    IP              Jailname
      ------ ---- ------ --------------- -------------------------------
      DRV 0  <...> <lan_nic> <jail_ip> v10
      """

    # Step 8: log in to the jail's console.
    When I enter "qjail console v10"
    Then the output shows:
      """
      Welcome to your FreeBSD jail.
      """
    And I am at the console of jail v10

    # Step 9: the jail's network. The address was set without a mask, so the
    # jail has the historical class A mask 0xff000000, as the howto shows
    # (and FreeBSD 14 warns that this is deprecated, in the console log).
    When I enter "ifconfig -a"
    Then the output shows:
      """
      epair1b: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
              options=8<VLAN_MTU>
              ether <...>
              inet <jail_ip> netmask 0xff000000 broadcast <...>
              groups: epair
              media: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)
              status: active
              nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>
      """

    # Step 10: the howto pings an internet host through the LAN's NAT
    # gateway; first hop of that road: the gateway itself must answer.
    When I enter "ping -c 2 <gateway>"
    Then the output shows:
      """
      PING <gateway> (<gateway>): 56 data bytes
      64 bytes from <gateway>: icmp_seq=0 ttl=64 time=<...> ms
      64 bytes from <gateway>: icmp_seq=1 ttl=64 time=<...> ms
      --- <gateway> ping statistics ---
      2 packets transmitted, 2 packets received, 0.0% packet loss
      round-trip min/avg/max/stddev = <...> ms
      """
    And the command succeeds

    # Step 11
    When I enter "exit"
    Then I am back on the host

  # The howto's troubleshooting section, item by item, as FreeBSD 14 answers it.

  Scenario: Troubleshooting 1: the jail reaches the internet through the gateway's NAT
    # "Cannot access the public internet. Firewall rules or NAT problem on the
    # host or gateway computer." The gateway maps the LAN to its own address
    # (the howto's gateway does it with ipfilter's ipnat). qjail gives the
    # jail no default route, so the jail takes the LAN's gateway first. Names
    # resolve through the gateway too (the jail's resolv.conf is the host's).
    When I build vnet jail v10 as in steps 2 to 5 with firewall "none"
    And I enter "qjail console v10"
    And I enter "route add default <gateway>"
    Then the output shows:
      """
      add net default: gateway <gateway>
      """
    When I enter "ping -c 2 <internet_host>"
    Then the output shows:
      """
      PING <internet_host> (<...>): 56 data bytes
      64 bytes from <...>: icmp_seq=0 ttl=<...> time=<...> ms
      64 bytes from <...>: icmp_seq=1 ttl=<...> time=<...> ms
      --- <internet_host> ping statistics ---
      2 packets transmitted, 2 packets received, 0.0% packet loss
      """
    And the command succeeds
    When I enter "whois <whois_query>"
    Then the output shows:
      """
      domain:       <whois_query>
      """
    And the command succeeds

  Scenario: Troubleshooting 2: ping the host's default route from the jail
    # "Cannot ping the host's default route ip address ... issue the route
    # get default command and use the gateway ip address."
    When I enter "route get default"
    Then the output shows:
      """
      route to: default
      destination: default
      gateway: <gateway>
      interface: <lan_nic>
      flags: <UP,GATEWAY,DONE,STATIC>
      """
    When I build vnet jail v10 as in steps 2 to 5 with firewall "none"
    And I enter "qjail console v10"
    And I enter "ping -c 2 <gateway>"
    Then the output shows:
      """
      2 packets transmitted, 2 packets received, 0.0% packet loss
      """
    And the command succeeds

  Scenario: Troubleshooting 4: log in to the vnet jail over ssh as user test
    # sshd_enable in the jail's rc.conf, a user "test" whose password is its
    # name (pw -w yes), a restart so the jail's rc starts sshd, then the
    # howto's "ssh -p 22 -l test <address>" from the host. (On a real box the
    # login goes through the box's ssh connection to the jail's address.)
    When I build vnet jail v10 as in steps 2 to 5 with firewall "none"
    And I enter "qjail console v10"
    And I enter "sysrc sshd_enable=YES"
    Then the output shows:
      """
      sshd_enable: NO -> YES
      """
    When I enter "pw adduser test -m -w yes"
    Then the command succeeds
    When I enter "exit"
    And I enter "qjail restart v10"
    Then qjail says "Jail successfully started  v10"
    When I log in with "ssh -p 22 -l test <jail_ip> 'id -un; hostname'" and the password "test"
    Then the output shows:
      """
      test
      v10
      """
    And the command succeeds
    When I log in with "ssh -p 22 -l test <jail_ip> hostname" and the password "wrong"
    Then the output shows:
      """
      test@<jail_ip>: Permission denied (publickey,keyboard-interactive).
      """
    And the command fails

  Scenario: Troubleshooting 5: ipfw in the host and in the vnet jail
    # 11.0, per the howto: with ipfw on the host a vnet jail without a
    # firewall cannot reach anything, and every vnet jail has to run ipfw.
    # FreeBSD 14: ipfw is virtualised, so a VNET jail started while ipfw.ko is
    # loaded has an ipfw of its own from the start, qjail's "-v none"
    # notwithstanding, holding only rule 65535. That rule denies unless the
    # kernel defaults to accept (the net.inet.ip.fw.default_to_accept
    # tunable): that default, not the host's rules, is what cut the howto's
    # jail off. With "pass all" in both, the jail gets out; and the host's
    # ipfw still sees the jail's packets where its bridge forwards them
    # (net.link.bridge.pfil_member=1), so a host rule can stop them.
    # On a box the same default would cut jailkit's own ssh session: ipfw is
    # loaded there only where the tunable makes its default rule accept.
    Given loading ipfw cannot cut jailkit's session to this host
    When I enter "kldload -n ipfw"
    And I enter "ipfw -q add 1000 allow ip from any to any"
    And I build vnet jail v10 as in steps 2 to 5 with firewall "none"
    And I enter "qjail console v10"
    And I enter "ipfw list"
    Then the output shows:
      """
      65535 <...> ip from any to any
      """
    When I enter "ipfw add 1000 allow ip from any to any"
    Then the output shows:
      """
      01000 allow ip from any to any
      """
    When I enter "ping -c 2 <gateway>"
    Then the output shows:
      """
      2 packets transmitted, 2 packets received, 0.0% packet loss
      """
    And the command succeeds
    When I enter "exit"
    And I enter "ipfw add 900 deny icmp from any to any via epair1a"
    Then the output shows:
      """
      00900 deny icmp from any to any via epair1a
      """
    When I enter "qjail console v10"
    And I enter "ping -c 2 <gateway>"
    Then the output shows:
      """
      2 packets transmitted, 0 packets received, 100.0% packet loss
      """
    And the command exits with status 2

  Scenario: Troubleshooting 6: pf on the host alone controls the jail's traffic
    # "You can run pf or ipfilter firewalls on the host and no firewall in the
    # vnet jail and have complete control of the vnet jail's network traffic
    # from the host's firewall." True on FreeBSD 14: the host's pf filters
    # what bridge10 forwards between epair1a and the LAN NIC. whois reports
    # every failed connection as a timeout (whois.c connect_to_any_host).
    When I build vnet jail v10 as in steps 2 to 5 with firewall "none"
    And I enter "kldload -n pf"
    And I enter "pfctl -f -" with this input:
      """
      pass all
      block return out quick on <lan_nic> proto tcp from any to any port 43
      """
    And I enter "pfctl -e"
    Then the output shows:
      """
      pf enabled
      """
    When I enter "pfctl -s rules"
    Then the output shows:
      """
      pass all flags S/SA keep state
      block return out quick on <lan_nic> proto tcp from any to any port = nicname
      """
    When I enter "qjail console v10"
    And I enter "route add default <gateway>"
    And I enter "ping -c 1 <internet_host>"
    Then the command succeeds
    When I enter "whois <whois_query>"
    Then the output shows:
      """
      whois: connect(): Operation timed out
      """
    And the command exits with status 71

  Scenario: Troubleshooting 6: ipfilter on the host alone controls the jail's traffic
    When I build vnet jail v10 as in steps 2 to 5 with firewall "none"
    And I enter "kldload -n ipl"
    And I enter "ipf -E"
    And I enter "ipf -f -" with this input:
      """
      block return-rst out quick on <lan_nic> proto tcp from any to any port = 43
      """
    # ipfstat names a port as /etc/services does (printfr.c, portname()):
    # 43/tcp is "nicname", whois's old name.
    And I enter "ipfstat -o"
    Then the output shows:
      """
      block return-rst out quick on <lan_nic> proto tcp from any to any port = nicname
      """
    When I enter "qjail console v10"
    And I enter "route add default <gateway>"
    And I enter "ping -c 1 <internet_host>"
    Then the command succeeds
    When I enter "whois <whois_query>"
    Then the output shows:
      """
      whois: connect(): Operation timed out
      """
    And the command exits with status 71

  Scenario: Troubleshooting 7: a port-43 deny rule in the vnet jail's own pf
    # 11.0, per the howto: pf and ipfilter in a vnet jail "look like" they
    # work, but a rule denying outbound port 43 lets whois through anyway.
    # FreeBSD 14: pf is virtualised (since 12.0), so the jail's own rule
    # stops whois, and only whois. The host needs pf.ko loaded, not enabled;
    # qjail's devfs ruleset 70 shows /dev/pf in the jail.
    When I enter "kldload -n pf"
    And I build vnet jail v10 as in steps 2 to 5 with firewall "pf"
    And I enter "qjail console v10"
    And I enter "pfctl -s rules"
    Then the output shows:
      """
      pass all flags S/SA keep state
      """
    When I enter "route add default <gateway>"
    And I enter "whois <whois_query>"
    Then the command succeeds
    When I enter "echo 'block return out quick proto tcp to any port 43' >> /etc/pf.vnet.rules.script"
    And I enter "pfctl -f /etc/pf.vnet.rules.script"
    And I enter "whois <whois_query>"
    Then the output shows:
      """
      whois: connect(): Operation timed out
      """
    And the command exits with status 71
    When I enter "ping -c 1 <internet_host>"
    Then the command succeeds

  Scenario: Troubleshooting 8: devfs ruleset 50 lets tcpdump open bpf in the jail
    # qjail's default devfs ruleset (4, devfsrules_jail) hides the bpf
    # devices; "qjail config -b 50" defines ruleset 50, which unhides them.
    When I build vnet jail v10 as in steps 2 to 5 with firewall "none"
    And I enter "qjail console v10"
    And I enter "tcpdump -c 1 -n -i epair1b"
    Then the output shows:
      """
      tcpdump: (there are no BPF devices)
      """
    And the command fails
    When I enter "exit"
    And I enter "qjail stop v10"
    And I enter "qjail config -b 50 v10"
    Then qjail says "Successfully enabled devfs.rules for v10"
    When I enter "qjail start v10"
    And I enter "qjail console v10"
    And I enter "timeout 3 tcpdump -n -i epair1b"
    Then the output shows:
      """
      listening on epair1b, link-type EN10MB (Ethernet), snapshot length 262144 bytes
      """
    And the command exits with status 124
