"""SQLite on embedded defaults behaves like a database: savepoints roll back, concurrent writers wait their turn."""

import asyncio

from sqlalchemy import text

from pixhound_platform.db import Database


async def test_a_rolled_back_savepoint_leaves_nothing_and_the_rest_commits(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'savepoints.db'}")
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (v INTEGER)"))
    async with database.sessions() as session, session.begin():
        await session.execute(text("INSERT INTO t VALUES (1)"))
        try:
            async with session.begin_nested():
                await session.execute(text("INSERT INTO t VALUES (2)"))
                raise RuntimeError("this step fails")
        except RuntimeError:
            pass
        async with session.begin_nested():
            await session.execute(text("INSERT INTO t VALUES (3)"))
    async with database.engine.connect() as connection:
        values = (await connection.execute(text("SELECT v FROM t ORDER BY v"))).scalars().all()
    await database.dispose()
    assert values == [1, 3]


async def test_transactions_that_read_then_write_at_once_all_commit(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'writers.db'}")
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (v INTEGER)"))

    async def read_then_write(value: int) -> None:
        async with database.sessions() as session, session.begin():
            await session.execute(text("SELECT count(*) FROM t"))
            await asyncio.sleep(0.02)
            await session.execute(text("INSERT INTO t VALUES (:v)"), {"v": value})

    await asyncio.gather(*(read_then_write(value) for value in range(12)))
    async with database.engine.connect() as connection:
        count = (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one()
    await database.dispose()
    assert count == 12


async def test_a_savepoint_after_reads_only_commits_with_its_transaction(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'released.db'}")
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (v INTEGER)"))
    try:
        async with database.sessions() as session, session.begin():
            await session.execute(text("SELECT count(*) FROM t"))
            async with session.begin_nested():
                await session.execute(text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("the request fails after the step")
    except RuntimeError:
        pass
    async with database.engine.connect() as connection:
        count = (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one()
    await database.dispose()
    assert count == 0, "releasing the savepoint committed the step on its own"
