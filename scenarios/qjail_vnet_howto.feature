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
