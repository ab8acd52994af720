"""Fixtures for the notifier: a real SMTP server on loopback, the service on PostgreSQL and Kafka, and accounts.

Accounts and cases arrive on different topics, so a test waits for the recipient row
before publishing what should reach them, as the order between topics is not guaranteed.
"""

from __future__ import annotations

import email
import email.policy
import socket
from contextlib import asynccontextmanager

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from pixhound_events.v1 import accounts_pb2
from pixhound_notifier import store
from pixhound_notifier.app import create_app
from pixhound_notifier.settings import NotifierSettings
from pixhound_platform.migrations import upgrade_async
from pixhound_platform.testing import serve_app, wait_until


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def notifier(pg_url, infra_settings, smtp_server):
    """Start the notifier (one replica per call) on this test's database, mailing the loopback SMTP server.

    The digest task's own loop runs once at start and then sleeps, so the test decides
    when digests are due by calling `send_due_digests(runtime, now=...)`.
    """
    _, port = smtp_server
    migrated = False

    @asynccontextmanager
    async def start(**overrides):
        nonlocal migrated
        if not migrated:
            await upgrade_async("pixhound_notifier", pg_url)
            migrated = True
        values = {
            "database_url": pg_url,
            "mail_transport": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "digest_poll_seconds": 3600,
            "portal_url": "https://portal.pixhound.test",
            **infra_settings,
            **overrides,
        }
        app = create_app(NotifierSettings(**values), configure_logs=False)
        async with serve_app(app) as client:
            yield client, app.state.runtime

    return start


@pytest.fixture
def register(probe):
    """Publish `AccountRegistered` and wait until the notifier knows the address."""

    async def register(runtime, account_id: str, *, locale: str = "en", name: str = "") -> str:
        address = f"{account_id}@example.org"
        await probe.publish(
            accounts_pb2.AccountRegistered(
                account_id=account_id, email=address, display_name=name or account_id.title(), locale=locale
            )
        )

        async def known():
            async with runtime.database.sessions() as session:
                query = select(store.recipients.c.email).where(store.recipients.c.account_id == account_id)
                return (await session.execute(query)).scalar_one_or_none() == address

        await wait_until(known, timeout=30, description=f"the recipient {account_id}")
        return address

    return register
