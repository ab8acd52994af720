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
