"""A 201 means the write is committed: the transaction ends before the answer is sent.

Checked at the moment the response starts, from a second connection to the database: the
account the request created must already be there.
"""

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from pixhound_ingest.app import create_app
from pixhound_ingest.settings import IngestSettings
from pixhound_platform.migrations import upgrade_async


async def test_an_account_is_committed_before_its_201_leaves(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    await upgrade_async("pixhound_ingest", url)
    settings = IngestSettings(data_dir=tmp_path, database_url=url, bus="memory", object_store="local")
    app = create_app(settings, configure_logs=False)
    observer = create_async_engine(url)
    seen_at_answer: list[int] = []

    async def watching(scope, receive, send):
        async def send_and_look(message):
            if message["type"] == "http.response.start" and scope["path"] == "/v1/accounts":
                async with observer.connect() as connection:
                    count = await connection.execute(sa.text("select count(*) from accounts"))
                    seen_at_answer.append(count.scalar_one())
            await send(message)

        await app(scope, receive, send_and_look)

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=watching)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            body = {"email": "commit@example.org", "display_name": "C", "password": "long enough password"}
            response = await client.post("/v1/accounts", json=body)
    await observer.dispose()
    assert response.status_code == 201
    assert seen_at_answer == [1], "the account was not yet committed when the 201 was sent"
