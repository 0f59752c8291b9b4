"""docker-compose.yml's networks: nginx alone faces the public network; every other service
is on an internal network with no route out, so a request reaches notifications or reports
only through nginx (which forwards the identity programmes signed) or from another Setu
container. Services that must reach out (SMTP, webhooks) or publish an operator's port on
127.0.0.1 have a network of their own for it.
"""

from __future__ import annotations

from collections import defaultdict

from tests.deploy.compose_model import load

COMPOSE = load()
SERVICES = COMPOSE["services"]

# Who is on each network, and why.
MEMBERS = {
    "public": {"nginx"},  # the gateway's published port
    "egress": {"notifications-api", "notifications-worker"},  # webhook hosts, SMTP, webhooks
    "ops": {"mail-web", "flower", "prometheus"},  # operator's tools, on 127.0.0.1
}


def networks_of(name: str) -> set[str]:
    declared = SERVICES[name].get("networks")
    assert declared, f"{name} names no network: it would join compose's default one"
    return set(declared)


def members() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for name in SERVICES:
        for network in networks_of(name):
            found[network].add(name)
    return found


def test_the_internal_network_has_no_route_out_and_the_others_are_declared():
    assert COMPOSE["networks"]["internal"] == {"internal": True}
    assert set(COMPOSE["networks"]) == {"internal", *MEMBERS}
    for network in MEMBERS:
        assert not (COMPOSE["networks"][network] or {}).get("internal"), network


def test_nginx_alone_faces_the_public_network_and_each_network_holds_only_its_members():
    found = members()
    for network, expected in MEMBERS.items():
        assert found[network] == expected, network


def test_every_service_but_the_mail_viewer_is_on_the_internal_network():
    assert members()["internal"] == set(SERVICES) - {"mail-web"}


def test_only_services_on_a_network_with_a_route_out_publish_ports():
    for name, spec in SERVICES.items():
        if spec.get("ports"):
            assert networks_of(name) - {"internal"}, f"{name} publishes from internal only"
