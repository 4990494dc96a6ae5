"""What a box must already have before a scenario may do something to it
that would otherwise cut the harness's own ssh session."""

from __future__ import annotations

from .host import Host

IPFW_TUNABLE = "net.inet.ip.fw.default_to_accept"


def ipfw_default_refusal(host: Host) -> str | None:
    """Why loading ipfw on ``host`` would cut the harness off, or None when
    it cannot: ipfw's default rule accepts (ipfw is loaded with the tunable
    at 1, or not loaded and the kernel environment sets it to 1), or the
    host has no harness session to cut (Host.client_address(): local://,
    the modelled lab of sim://). ipfw reads the tunable once, when it loads
    (CTLFLAG_RDTUN in ip_fw2.c); without it the default rule 65535 denies
    everything, the ssh session included, until the box reboots."""
    if host.client_address() is None:
        return None
    loaded = host.run(["sysctl", "-n", IPFW_TUNABLE])
    if loaded.succeeded:
        if loaded.stdout.strip() == "1":
            return None
        return (f"ipfw is loaded and its default rule denies ({IPFW_TUNABLE} is "
                f"{loaded.stdout.strip()}); the tunable is read only when ipfw loads: put "
                f'{IPFW_TUNABLE}="1" in /boot/loader.conf and reboot the box')
    kenv = host.run(["kenv", "-q", IPFW_TUNABLE])
    if kenv.succeeded and kenv.stdout.strip() == "1":
        return None
    return (f"ipfw is not loaded and the kernel environment does not set {IPFW_TUNABLE}=1, so "
            "loading ipfw would deny everything, this ssh session included, until the box "
            f"reboots. Set it now with `kenv {IPFW_TUNABLE}=1`, and for later boots add "
            f'{IPFW_TUNABLE}="1" to /boot/loader.conf (vagrant/provision.sh does both)')
