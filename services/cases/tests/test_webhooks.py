"""Webhook targets pass the platform's network guard before a delivery, like every outbound URL."""

import ipaddress

import pytest

from pixhound_cases.webhooks import check_target
from pixhound_platform.network import RefusedAddress


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hook",
        "http://[::1]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[64:ff9b::a9fe:a9fe]/hook",
        "ftp://93.184.216.34/hook",
        "http:///no-host",
    ],
)
async def test_private_loopback_and_metadata_targets_are_refused(url: str) -> None:
    with pytest.raises(RefusedAddress):
        await check_target(url, [])


async def test_public_and_allow_listed_targets_pass() -> None:
    await check_target("https://93.184.216.34/hook", [])
    await check_target("http://127.0.0.1:8080/hook", [ipaddress.ip_network("127.0.0.0/8")])


@pytest.mark.infra
async def test_a_delivery_to_a_refused_address_is_never_sent_and_says_why(world, webhook_receiver):
    from sqlalchemy import select

    from pixhound_cases import store
    from pixhound_cases.worker import deliver_webhooks
    from pixhound_platform.testing import bearer

    runtime = world.app.state.runtime
    runtime.settings.webhook_allowed_networks = ""
    alice = bearer("alice")
    case_id = (await world.open_case("alice", "photo-hook", "https://agence.example/hook"))["id"]
    pricing = {"licence_price": 30000, "surcharge_percent": "100", "floor_price": 40000}
    assert (await world.client.put(f"/v1/cases/{case_id}/pricing", headers=alice, json=pricing)).status_code == 200
    assert (await world.client.post(f"/v1/cases/{case_id}/confirm", headers=alice, json={})).status_code == 200
    agency_id = world.agencies["Cabinet Alpha"]["id"]
    launched = await world.client.post(f"/v1/cases/{case_id}/recovery", headers=alice, json={"agency_id": agency_id})
    assert launched.status_code == 200
    await deliver_webhooks(runtime)
    async with runtime.transaction() as session:
        rows = (await session.execute(select(store.webhook_deliveries))).all()
    refused = [row for row in rows if "refused" in row.last_error.lower() or "loopback" in row.last_error.lower()]
    assert refused, [row.last_error for row in rows]
    assert not webhook_receiver.received, "nothing reached the loopback receiver"
