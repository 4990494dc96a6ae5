@lab:qjail-howto
Feature: qjail-howto: classic jails behind the host's ipfilter, NAT and port forwards
  qjail-howto(8) (Joe Barbish, FreeBSD 11.0, February 2017) builds two NON-VIMAGE
  jails with qjail on a host that sits directly on the internet with the one
  public address its ISP gives it: an ssh jail and a www jail. Their traffic
  passes through the host's ipfilter firewall; ipnat maps them out and
  forwards a unique port to each (6122 to the ssh jail's port 22, 6188 to the
  www jail's port 80), tested from "any device" outside.

  These are its steps on FreeBSD 14. The howto leaves blanks, filled in here:
  - Its addresses were lost upstream. The host's public address comes from
    the lab (<host_ip> on <lan_nic>, TEST-NET-3); the jails get private
    RFC 1918 addresses (<ssh_jail_ip>, <www_jail_ip>) aliased on a cloned
    loopback, <jail_nic>, as qjail users set them up: `qjail create -n`
    names the interface, and jail(8) adds the alias when the jail starts and
    removes it when it stops.
  - Step 8's `pkg install apache24` cannot run offline. A base-system stand-in
    answers http on port 80 instead: inetd(8) runs a small sh script that
    sends "It works!".
  - The howto's rules lost their words: `pass in quick rl0 tcp ...` lacks
    "on" and "proto", its `map` line the jails' network and its `rdr` lines
    the jail's address. FreeBSD answers them as written with ipf's and
    ipnat's syntax errors, shown below, then the rules that work.
  - It names three outside ports for the www jail (6180, 6188, 8010); 6188 is
    the one its rules forward, so 6188 is used (<www_port>).
  "Any device" outside is the lab's <outside>, on the internet.

  Background:
    Given a FreeBSD host on the internet with its public address on the howto's NIC

  Scenario: Steps 1 to 9: an ssh jail and a www jail on private addresses
    # Step 1 installs the qjail port; jailkit plays qjail itself.
    Given step 1 "pkg install qjail" is played by jailkit's qjail

    # Step 2
    When I enter "qjail install"
    Then qjail says "Successfully installed qjail system."

    # The blank: the jails' interface, made now and at every boot.
    When I enter "sysrc cloned_interfaces+=<jail_nic>"
    Then the output shows:
      """
      cloned_interfaces:  -> <jail_nic>
      """
    When I enter "ifconfig <jail_nic> create"
    Then the command succeeds

    # Step 3: -c enables sshd in the jail; at its first start qjail adds the
    # user ssh, password ssh, already expired (pw adduser ... -p 12-12-12).
    When I enter "qjail create -n <jail_nic> -4 <ssh_jail_ip> -c ssh"
    Then qjail says "Successfully created  ssh"

    # Step 4
    When I enter "qjail create -n <jail_nic> -4 <www_jail_ip> www"
    Then qjail says "Successfully created  www"

    # Steps 5 and 6: start, then restart so that sshd runs in the jail.
    When I enter "qjail start ssh"
    Then qjail says "Jail successfully started  ssh"
    When I enter "qjail restart ssh"
    Then the output shows:
      """
      Jail successfully stopped  ssh
      Jail successfully started  ssh
      """

    # Step 7
    When I enter "qjail start www"
    Then qjail says "Jail successfully started  www"

    # Two directory-tree (D) jails running (R), each on its own address.
    When I enter "qjail list"
    Then the output shows:
      """
      STATUS JID  NIC    IP              Jailname
      ------ ---- ------ --------------- -------------------------------
      DR     <...> <jail_nic> <ssh_jail_ip> ssh
      DR     <...> <jail_nic> <www_jail_ip> www
      """

    # jail(8) put each jail's address on lo1 as a /32 alias.
    When I enter "ifconfig <jail_nic>"
    Then the output shows:
      """
      <jail_nic>: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384
              inet <ssh_jail_ip> netmask 0xffffffff
              inet <www_jail_ip> netmask 0xffffffff
      """

    # Step 8: the www jail's web server. apache24 stands in as said above.
    When I enter "qjail console www"
    Then I am at the console of jail www
    When I enter "mkdir -p /usr/local/libexec"
    And I enter "cat > /usr/local/libexec/itworks" with this input:
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
    And I enter "chmod 555 /usr/local/libexec/itworks"
    And I enter "echo 'http stream tcp nowait www /usr/local/libexec/itworks itworks' >> /etc/inetd.conf"
    # the howto's quoting, kept: rc.conf gets apache24_enable=YES, here inetd's
    And I enter "echo "inetd_enable="YES"" >> /etc/rc.conf"
    And I enter "exit"
    Then I am back on the host

    # Step 9
    When I enter "qjail restart www"
    Then the output shows:
      """
      Jail successfully stopped  www
      Jail successfully started  www
      """

    # The howto's debug command: each jail's daemon listens on its jail's
    # address only, the host's sshd on all of the host's.
    When I enter "sockstat -4"
    Then the output shows:
      """
      USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS
      root     sshd       <...> tcp4   *:22                  *:*
      root     sshd       <...> tcp4   <ssh_jail_ip>:22           *:*
      root     inetd      <...> tcp4   <www_jail_ip>:80           *:*
      """

    # sockstat -j: one jail's sockets (by jid or, on FreeBSD 14, by name).
    When I enter "sockstat -4 -j ssh"
    Then the output shows:
      """
      root     sshd       <...> tcp4   <ssh_jail_ip>:22           *:*
      """

    # The howto's check that a jail is configured: whois from its console.
    # Without the NAT below, its private address gets no answer from the
    # internet, and its name server's answer cannot come back.
    When I enter "qjail console www"
    And I enter "whois <whois_query>"
    Then the command fails
    When I enter "exit"

  Scenario: The host firewall for jail traffic: map the jails out, forward 6122 and 6188 in
    Given the ssh and www jails of steps 1 to 9

    # The NAT rules as the howto prints them: its map line lost the range of
    # addresses it must cover (the howto says so in its text), and ipnat
    # stops there; its rdr lines lost the jail's address as well.
    When I enter "cat > /etc/ipnat.rules" with this input:
      """
      map <lan_nic> -> 0/32 # for normal lan + all jails
      rdr <lan_nic> port <ssh_port> -> port 22 tcp
      """
    And I enter "kldload ipl"
    And I enter "ipnat -FC -f /etc/ipnat.rules"
    Then the command fails
    And the output shows:
      """
      syntax error at "->", line 1
      """

    # The rules that work: the map covers the jails' network, each rdr
    # names its jail.
    When I enter "cat > /etc/ipnat.rules" with this input:
      """
      # the jails out, through the host's public address
      map <lan_nic> 10.0.0.0/24 -> 0/32
      # Forward inbound unique port to jail ssh
      rdr <lan_nic> 0/0 port <ssh_port> -> <ssh_jail_ip> port 22 tcp
      # Forward inbound unique port to jail www
      rdr <lan_nic> 0/0 port <www_port> -> <www_jail_ip> port 80 tcp
      """
    And I enter "ipnat -FC -f /etc/ipnat.rules"
    Then the command succeeds
    # resync ipnat with the host's current address
    When I enter "ipf -y"
    Then the output shows:
      """
      filter sync'd
      """

    # The firewall rules as the howto prints them: ipf stops at the line.
    When I enter "cat > /etc/ipf.rules" with this input:
      """
      pass in quick rl0 tcp from any to any port = <www_port> flags S keep state
      """
    And I enter "ipf -FS -Fa -f /etc/ipf.rules"
    Then the command fails
    And the output shows:
      """
      syntax error at "rl0", line 1
      """

    # The rules that work: the unique ports in, the jails' own ports that the
    # forwards deliver to, the host's ssh, and everything out with state.
    When I enter "cat > /etc/ipf.rules" with this input:
      """
      # Allow in www function for apache in qjail jail www
      pass in quick on <lan_nic> proto tcp from any to any port = <www_port> flags S keep state
      # Allow in ssh function in qjail jail ssh
      pass in quick on <lan_nic> proto tcp from any to any port = <ssh_port> flags S keep state
      # what the forward rules deliver, and the host's own sshd
      pass in quick on <lan_nic> proto tcp from any to any port = 22 flags S keep state
      pass in quick on <lan_nic> proto tcp from any to any port = 80 flags S keep state
      pass out quick on <lan_nic> all keep state
      block in on <lan_nic> all
      """
    And I enter "ipf -E"
    And I enter "ipf -FS -Fa -f /etc/ipf.rules"
    Then the command succeeds

    # Testing remote jail traffic, from a device outside: the www jail.
    When on <outside> I enter "fetch -qo - http://<host_ip>:<www_port>/"
    Then the output shows:
      """
      It works!
      """

    # The ssh jail, as ssh/ssh; the password must be changed at once.
    When on <outside> I log in with "ssh -p <ssh_port> ssh@<host_ip> hostname" and the password "ssh", changed to "Qj4il.howto"
    Then the output shows:
      """
      (ssh@<host_ip>) Password for ssh@ssh:
      (ssh@<host_ip>) New Password:
      (ssh@<host_ip>) Retype New Password:
      ssh
      """
    # the old password is gone, the new one works
    When on <outside> I log in with "ssh -p <ssh_port> ssh@<host_ip> hostname" and the password "ssh"
    Then the command fails
    When on <outside> I log in with "ssh -p <ssh_port> ssh@<host_ip> hostname" and the password "Qj4il.howto"
    Then the output shows:
      """
      ssh
      """

    # Port 22 stays the host's own sshd: PAM asks for user ssh at the host's
    # own name (whatever the box is called), and the host has no such user.
    When on <outside> I log in with "ssh -p 22 ssh@<host_ip> hostname" and the password "Qj4il.howto"
    Then the command fails
    And the output shows:
      """
      (ssh@<host_ip>) Password for ssh@<...>:
      ssh@<host_ip>: Permission denied (publickey,keyboard-interactive).
      """

    # The map takes the jails out: whois from a jail now answers.
    When I enter "qjail console www"
    And I enter "whois <whois_query>"
    Then the output shows:
      """
      domain:       <whois_query>
      """
    When I enter "exit"

    # Some host debug commands. ipnat -lhd: each rule's hits, then the
    # sessions, newest first: the jail's whois as MAP, the forwards' as RDR.
    When I enter "ipnat -lhd"
    Then the output shows:
      """
      List of active MAP/Redirect filters:
      <...> map <lan_nic> 10.0.0.0/24 -> 0/32
      <...> rdr <lan_nic> 0/0 port <ssh_port> -> <ssh_jail_ip>/32 port 22 tcp
      <...> rdr <lan_nic> 0/0 port <www_port> -> <www_jail_ip>/32 port 80 tcp
      List of active sessions:
      MAP <www_jail_ip> <...> <- -> <host_ip> <...> [<...> 43] tcp
      RDR <ssh_jail_ip> 22 <- -> <host_ip> <ssh_port> [<outside_ip> <...>] tcp
      RDR <www_jail_ip> 80 <- -> <host_ip> <www_port> [<outside_ip> <...>] tcp
      """

    # ipfstat -hni: as the howto warns, a rule passing a forwarded unique
    # port never counts a hit (ipnat translates before the filter sees the
    # packet); the rule passing the jail's own port does.
    When I enter "ipfstat -hni"
    Then the output shows:
      """
      0 @1 pass in quick on <lan_nic> proto tcp from any to any port = <www_port> flags S/FSRPAU keep state
      0 @2 pass in quick on <lan_nic> proto tcp from any to any port = <ssh_port> flags S/FSRPAU keep state
      <...> @3 pass in quick on <lan_nic> proto tcp from any to any port = ssh flags S/FSRPAU keep state
      1 @4 pass in quick on <lan_nic> proto tcp from any to any port = http flags S/FSRPAU keep state
      """

  Scenario: Debugging from inside a jail: tcpdump with devfs ruleset 50
    Given the ssh and www jails of steps 1 to 9
    # The default ruleset 4 hides bpf: tcpdump cannot open a capture.
    When I enter "qjail console www"
    And I enter "tcpdump -v ip host <www_jail_ip>"
    Then the command fails
    And the output shows:
      """
      tcpdump: (there are no BPF devices)
      """
    When I enter "exit"

    # Ruleset 50 adds bpf; qjail defines it the first time it is used.
    When I enter "qjail stop www"
    And I enter "qjail config -b 50 www"
    And I enter "qjail start www"
    Then qjail says "Jail successfully started  www"

    # Before the NAT exists: a capture in the background, then whois. The
    # capture on rl0 shows why nothing answers: the jail's packets leave
    # with its private address as their source. (tcpdump listens on the
    # first interface that is up; the howto's host has only rl0, a box may
    # have its own uplink first, so -i names it.)
    When I enter "qjail console www"
    And I enter "tcpdump -c 2 -n -i <lan_nic> ip host <www_jail_ip> > /tmp/capture 2>&1 &"
    And I enter "whois <whois_query>"
    Then the command fails
    When I enter "cat /tmp/capture"
    Then the output shows:
      """
      listening on <lan_nic>, link-type EN10MB (Ethernet), snapshot length 262144 bytes
      <...> IP <www_jail_ip>.<...> > <gateway>.53: <...>
      <...> IP <www_jail_ip>.<...> > <gateway>.53: <...>
      2 packets captured
      """
    When I enter "exit"
