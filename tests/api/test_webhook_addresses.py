"""Where webhooks may go (the SSRF guard): every kind of address that only the desk's own
network can reach is refused, in IPv4 and IPv6 and in the disguises a resolver accepts; the
allowed hosts and denied networks settings; https only unless http is allowed. Pure: rules and
addresses in, an answer out."""

import pytest

from helpdesk.webhooks.addresses import (
    RefusedAddress,
    address_refusal,
    check_resolved,
    check_url,
    parse_rules,
)

DEFAULT = parse_rules()

REFUSED = [
    # IPv4
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("0.0.0.0", "unspecified"),  # noqa: S104
    ("10.0.0.1", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),  # a cloud's metadata service
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("100.64.0.1", "not publicly routable"),  # carrier-grade NAT
    ("192.0.2.10", "private"),  # documentation
    ("198.18.0.1", "private"),  # benchmarking
    # IPv6
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456:789a::1", "private"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "private"),  # documentation
    ("::127.0.0.1", "reserved"),  # IPv4-compatible (deprecated)
    ("100::1", "reserved"),  # discard-only
    # IPv6 standing for, or leading to, a refused IPv4 address
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.1.2.3", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("::ffff:0.0.0.0", "unspecified"),
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "private"),  # Teredo
]

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.32.0.1",  # just past 172.16.0.0/12
    "100.128.0.1",  # just past 100.64.0.0/10
    "2606:4700:4700::1111",
    "2a00:1450:4009:81b::200e",
    "::ffff:8.8.8.8",  # mapped public IPv4
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8 (DNS64 networks)
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_addresses_only_the_desk_can_reach_are_refused(address, kind):
    reason = address_refusal(address, DEFAULT)
    assert reason is not None and kind in reason, reason


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_fine(address):
    assert address_refusal(address, DEFAULT) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]:8443/hooks",
        "https://[::ffff:7f00:1]/hooks",  # the same, in hex
        "https://[fe80::1%25eth0]/hooks",
        "https://10.0.0.5/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://0.0.0.0/",
        "https://2130706433/",  # 127.0.0.1 as one number
        "https://0x7f.0.0.1/",  # in hex
        "https://127.1/",  # short form
        "https://017700000001/",  # octal
        "https://localhost/hooks",
        "https://LOCALHOST./hooks",
        "https://api.localhost/hooks",
    ],
)
def test_a_url_to_a_refused_host_is_refused_when_subscribing(url):
    with pytest.raises(RefusedAddress, match="may not go to"):
        check_url(url, DEFAULT)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://crm.example.com/hooks", "https"),
        ("ftp://crm.example.com/hooks", "https"),
        ("file:///etc/passwd", "https"),
        ("gopher://127.0.0.1:6379/_INFO", "https"),
        ("https:///hooks", "no host"),
        ("https://user:pw@crm.example.com/hooks", "user name or password"),
        ("https://crm.example.com@127.0.0.1/hooks", "user name or password"),
        ("https://crm.example.com:99999/hooks", "not a valid URL"),
        ("https://crm.example.com:0/hooks", "not a valid URL"),
        ("https://[::1/hooks", "not a valid URL"),
    ],
)
def test_scheme_host_and_credentials(url, message):
    with pytest.raises(RefusedAddress, match=message):
        check_url(url, DEFAULT)


def test_a_public_url_is_split_into_where_to_connect():
    target = check_url("https://CRM.example.com/hooks/in?source=desk", DEFAULT)
    assert (target.scheme, target.host, target.port) == ("https", "crm.example.com", 443)
    assert target.path == "/hooks/in?source=desk"
    target = check_url("https://[2606:4700::1111]:8443", DEFAULT)
    assert (target.host, target.port, target.path) == ("2606:4700::1111", 8443, "/")


def test_plain_http_only_when_allowed():
    rules = parse_rules(allow_http=True)
    assert check_url("http://crm.example.com/h", rules).port == 80
    with pytest.raises(RefusedAddress, match="may not go to"):
        check_url("http://127.0.0.1/h", rules)  # http allowed is not loopback allowed


def test_allowed_addresses_networks_and_names():
    rules = parse_rules(allowed_hosts=["127.0.0.1", "10.20.0.0/16", "crm.internal", ".corp.lan"])
    assert address_refusal("127.0.0.1", rules) is None
    assert address_refusal("::ffff:127.0.0.1", rules) is None  # the same address
    assert "loopback" in address_refusal("127.0.0.2", rules)
    assert "loopback" in address_refusal("::1", rules)
    assert address_refusal("10.20.3.4", rules) is None
    assert "private" in address_refusal("10.21.0.1", rules)
    assert check_url("https://127.0.0.1:8000/h", rules).host == "127.0.0.1"
    # A trusted name may resolve to private addresses; any other may not.
    for host in ("crm.internal", "CRM.internal.", "hooks.corp.lan", "corp.lan"):
        target = check_url(f"https://{host}/h", rules)
        assert check_resolved(target, ["10.9.9.9"], rules) == ["10.9.9.9"]
    with pytest.raises(RefusedAddress, match="10.9.9.9 is a private address"):
        check_resolved(check_url("https://evilcorp.lan/h", rules), ["10.9.9.9"], rules)


def test_denied_networks_are_refused_always():
    rules = parse_rules(
        allowed_hosts=["203.0.113.0/24", "crm.internal"],
        denied_networks=["203.0.113.128/25", "8.8.8.0/24", "2001:4860::/32"],
    )
    assert address_refusal("203.0.113.5", rules) is None
    assert "denied network" in address_refusal("203.0.113.200", rules)  # denied beats allowed
    assert "denied network" in address_refusal("8.8.8.8", rules)
    assert "denied network" in address_refusal("::ffff:8.8.8.8", rules)
    assert "denied network" in address_refusal("2001:4860:4860::8888", rules)
    assert address_refusal("8.8.4.4", rules) is None
    target = check_url("https://crm.internal/h", rules)
    with pytest.raises(RefusedAddress, match="denied network"):
        check_resolved(target, ["8.8.8.8"], rules)  # even for a trusted name
    with pytest.raises(RefusedAddress, match="denied network"):
        check_url("https://8.8.8.8/h", rules)


def test_every_resolved_address_must_pass():
    target = check_url("https://hooks.example.com/h", DEFAULT)
    assert check_resolved(target, ["93.184.216.34", "93.184.216.34"], DEFAULT) == ["93.184.216.34"]
    # A name that resolves to a public and a private address (rebinding, round robin): refused.
    with pytest.raises(RefusedAddress, match="hooks.example.com: 127.0.0.1 is a loopback"):
        check_resolved(target, ["93.184.216.34", "127.0.0.1"], DEFAULT)
    with pytest.raises(RefusedAddress, match="that is 10.0.0.1"):
        check_resolved(target, ["::ffff:10.0.0.1"], DEFAULT)
    with pytest.raises(RefusedAddress, match="no address"):
        check_resolved(target, [], DEFAULT)


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="WEBHOOK_DENIED_NETWORKS"):
        parse_rules(denied_networks=["not-a-network"])
    rules = parse_rules(allowed_hosts=["", " Hooks.Example.com ", "::1"], denied_networks=[""])
    assert rules.allowed_names == frozenset({"hooks.example.com"})
    assert [str(n) for n in rules.allowed_networks] == ["::1/128"]
    assert rules.denied_networks == ()
