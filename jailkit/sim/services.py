"""What answers on the lab's listening sockets: a whois server, a web
server, a DNS server for the lab's names, and the greeting of sshd.

Requests and answers are text, as the protocols are (whois(1) sends the
query and a CRLF, a web client a GET line); DNS questions are modelled as
"A name" and "PTR address" with the answer or NXDOMAIN."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

IPv4 = ipaddress.IPv4Address
# The version string sshd sends first (OpenSSH 9.9p2 in FreeBSD 14.3).
SSH_BANNER = "SSH-2.0-OpenSSH_9.9 FreeBSD-20250219"


@dataclass
class WhoisServer:
    reply: str

    def exchange(self, request: str, peer) -> str:
        query = request.strip().upper()
        return self.reply.replace("{query}", query)


@dataclass
class WebServer:
    body: str

    def exchange(self, request: str, peer) -> str:
        return ("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n"
                f"Content-Length: {len(self.body)}\r\n\r\n{self.body}")


@dataclass
class NameServer:
    names: dict[str, IPv4] = field(default_factory=dict)

    def exchange(self, request: str, peer) -> str:
        kind, _, question = request.partition(" ")
        if kind == "A":
            address = self.names.get(question.rstrip(".").lower())
            return str(address) if address is not None else "NXDOMAIN"
        if kind == "PTR":
            return next((name for name, address in self.names.items() if str(address) == question),
                        "NXDOMAIN")
        return "NXDOMAIN"


@dataclass
class SshGreeting:
    """sshd as seen by a TCP client: its version line. Logins are the
    business of jailkit.sim.daemons.Sshd."""

    def exchange(self, request: str, peer) -> str:
        return SSH_BANNER + "\r\n"
