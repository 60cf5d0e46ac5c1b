"""Where webhooks may go: the guard against server-side request forgery (SSRF).

A webhook URL is typed by whoever manages subscriptions, and the help desk POSTs to it from
inside the network, so without a rule it could reach what only the desk can reach: the
database, Redis, a cloud's metadata service (169.254.169.254), an admin page on localhost.

The rule, in one place (pure: the rules and the addresses come in, an answer goes out):
- the scheme is https; plain http only when `WEBHOOK_ALLOW_HTTP` is set; no user name or
  password in the URL (deliveries are signed with the secret instead);
- an address is refused when it is loopback, unspecified, link-local, multicast, private,
  reserved or otherwise not globally routable (IPv4 and IPv6). An IPv6 address that stands for
  an IPv4 one (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) is judged by that IPv4
  address; one that embeds an IPv4 address (6to4, Teredo) must pass as itself and as the
  address it embeds;
- `WEBHOOK_ALLOWED_HOSTS` lists exceptions: an IP address or network (`10.1.2.0/24`) whose
  addresses may be used, or a host name (`crm.internal`; `.internal` for it and every
  subdomain) trusted whatever it resolves to;
- `WEBHOOK_DENIED_NETWORKS` lists networks refused as well (your own public ranges), always,
  even when allowed.

It is checked twice: when a subscription is saved (`check_url`: scheme, and the host when it
is an address or a `localhost` name; names are not resolved then), and at every delivery
against every address the host resolves to (`check_resolved`), the connection then going to
one of those checked addresses, so a name that resolves elsewhere later (DNS rebinding) is
refused too.
"""

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
LOCALHOST_NAMES = ("localhost", "localhost.localdomain")


class RefusedAddress(ValueError):
    """A webhook URL or address the rule refuses; the message says why, for the user."""


@dataclass(frozen=True)
class AddressRules:
    allowed_names: frozenset[str] = frozenset()
    allowed_suffixes: tuple[str, ...] = ()  # ".internal" allows a.internal, b.a.internal
    allowed_networks: tuple[IPNetwork, ...] = ()
    denied_networks: tuple[IPNetwork, ...] = ()
    allow_http: bool = False


@dataclass(frozen=True)
class Target:
    """Where a URL points: its scheme, host (without brackets), port, and the path to request."""

    scheme: str
    host: str
    port: int
    path: str


def _network(text: str) -> IPNetwork:
    return ipaddress.ip_network(text.strip(), strict=False)


def parse_rules(
    *, allowed_hosts: Iterable[str] = (), denied_networks: Iterable[str] = (), allow_http=False
) -> AddressRules:
    """The rules from the settings' lists (empty entries ignored). An allowed entry is an
    address or network, else a host name; a denied entry that is not an address or network
    raises ValueError naming it."""
    names, suffixes, networks = set(), [], []
    for entry in allowed_hosts:
        entry = entry.strip().lower().rstrip(".")
        if not entry:
            continue
        try:
            networks.append(_network(entry))
        except ValueError:
            if entry.startswith("."):
                suffixes.append(entry)
            else:
                names.add(entry)
    denied = []
    for entry in denied_networks:
        if not entry.strip():
            continue
        try:
            denied.append(_network(entry))
        except ValueError as error:
            raise ValueError(f"WEBHOOK_DENIED_NETWORKS: {entry!r} is not a network") from error
    return AddressRules(
        allowed_names=frozenset(names),
        allowed_suffixes=tuple(suffixes),
        allowed_networks=tuple(networks),
        denied_networks=tuple(denied),
        allow_http=bool(allow_http),
    )


def current_rules() -> AddressRules:
    """The rules from the settings (WEBHOOK_ALLOWED_HOSTS, WEBHOOK_DENIED_NETWORKS,
    WEBHOOK_ALLOW_HTTP); ImproperlyConfigured names a bad entry."""
    try:
        return parse_rules(
            allowed_hosts=settings.WEBHOOK_ALLOWED_HOSTS,
            denied_networks=settings.WEBHOOK_DENIED_NETWORKS,
            allow_http=settings.WEBHOOK_ALLOW_HTTP,
        )
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from error


def _kind(ip: IPAddress) -> str | None:
    """Which kind of address no webhook may reach `ip` is, by its own bits; None for a
    public address."""
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "an address that is not publicly routable"
    return None


def _stands_for(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address is only another way of writing (mapped, NAT64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _embeds(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address a tunnelling IPv6 address (6to4, Teredo) leads to."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return None


def _allowed(ip: IPAddress, rules: AddressRules) -> bool:
    return any(ip.version == net.version and ip in net for net in rules.allowed_networks)


def _denied(ip: IPAddress, rules: AddressRules) -> bool:
    return any(ip.version == net.version and ip in net for net in rules.denied_networks)


def address_refusal(
    address: str | IPAddress, rules: AddressRules, *, trusted: bool = False
) -> str | None:
    """Why no webhook may go to `address` (a phrase), or None when one may. `trusted`: the
    address is that of a host name WEBHOOK_ALLOWED_HOSTS trusts; only denied networks count."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    judged = [ip]
    if (ipv4 := _stands_for(ip)) is not None:
        judged = [ipv4]
    elif (ipv4 := _embeds(ip)) is not None:
        judged = [ip, ipv4]
    for each in judged:
        if _denied(each, rules):
            return f"{ip} is in a denied network (WEBHOOK_DENIED_NETWORKS)"
    if trusted or _allowed(ip, rules):
        return None
    for each in judged:
        if not _allowed(each, rules) and (kind := _kind(each)) is not None:
            shown = str(ip) if each == ip else f"{ip} (that is {each})"
            return f"{shown} is {kind}"
    return None


def _literal_address(host: str) -> IPAddress | None:
    """The address a host written as one stands for, in any form the system's resolver takes
    (`127.1`, `0x7f.0.0.1`, `2130706433` are all 127.0.0.1); None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def host_is_allowed(host: str, rules: AddressRules) -> bool:
    """Whether `host` is a name WEBHOOK_ALLOWED_HOSTS trusts (whatever it resolves to)."""
    host = host.lower().rstrip(".")
    return host in rules.allowed_names or any(
        host.endswith(suffix) or host == suffix[1:] for suffix in rules.allowed_suffixes
    )


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port  # raises ValueError for a port out of range
    except ValueError as error:
        raise RefusedAddress(f"This is not a valid URL ({error}).") from error
    if port == 0:
        raise RefusedAddress("This is not a valid URL (port 0).")
    return parts


def check_url(url: str, rules: AddressRules) -> Target:
    """Where `url` points, if the rule lets a webhook go there as far as the URL alone tells
    (its host is not resolved); raises RefusedAddress saying why not."""
    parts = _split(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedAddress("Use an https:// URL.")
    if scheme == "http" and not rules.allow_http:
        raise RefusedAddress("Use https://: plain http:// is not allowed (WEBHOOK_ALLOW_HTTP).")
    if parts.username is not None or parts.password is not None:
        raise RefusedAddress(
            "Put no user name or password in the URL: deliveries are signed with the secret."
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise RefusedAddress("The URL has no host.")
    target = Target(
        scheme=scheme,
        host=host,
        port=parts.port or (443 if scheme == "https" else 80),
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    )
    ip = _literal_address(host)
    if ip is not None:
        if (reason := address_refusal(ip, rules)) is not None:
            raise RefusedAddress(f"Webhooks may not go to {host}: {reason}.")
        return target
    if host_is_allowed(host, rules):
        return target
    if host in LOCALHOST_NAMES or host.endswith(".localhost"):
        raise RefusedAddress(f"Webhooks may not go to {host}: it is this machine (loopback).")
    return target


def check_resolved(target: Target, addresses: Iterable[str], rules: AddressRules) -> list[str]:
    """The addresses `target.host` resolved to, if a webhook may go to every one of them (an
    allowed host name: to all but denied networks); raises RefusedAddress naming the first that
    may not (one refused address refuses them all: a name that mixes them is not trusted)."""
    found = list(dict.fromkeys(addresses))
    if not found:
        raise RefusedAddress(f"{target.host} resolves to no address.")
    trusted = host_is_allowed(target.host, rules)
    for address in found:
        if (reason := address_refusal(address, rules, trusted=trusted)) is not None:
            raise RefusedAddress(f"Webhooks may not go to {target.host}: {reason}.")
    return found
