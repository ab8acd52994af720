"""The command line every service exposes: `python -m pixhound_<service> serve|migrate|replay-dead-letters`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime

import uvicorn

from pixhound_platform.app import ServiceDefinition
from pixhound_platform.migrations import autogenerate_revision, upgrade
from pixhound_platform.replay import replay_dead_letters


def run_service_cli(package: str, service: ServiceDefinition) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {package}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API, consumers and outbox relay")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--migrate", action="store_true", help="apply migrations before serving")
    commands.add_parser("migrate", help="apply database migrations and exit")
    revision = commands.add_parser("revision", help="autogenerate a migration from the models")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--id", required=True, help="revision id, e.g. 0002")
    replay = commands.add_parser("replay-dead-letters", help="send dead letters back to their topic after a fix")
    replay.add_argument("--topic", required=True, help="the original topic, e.g. pixhound.matches.v1")
    replay.add_argument("--since", type=datetime.fromisoformat, help="dead-lettered at or after (ISO 8601, UTC)")
    replay.add_argument("--until", type=datetime.fromisoformat, help="dead-lettered at or before (ISO 8601, UTC)")
    replay.add_argument("--event-id", action="append", dest="event_ids", help="only this event (repeatable)")
    replay.add_argument("--dry-run", action="store_true", help="count what would be replayed, send nothing")
    args = parser.parse_args()
    if args.command == "revision":
        autogenerate_revision(package, args.message, args.id)
        return
    settings = service.settings_class()
    if args.command == "replay-dead-letters":
        if settings.bus != "kafka":
            parser.error("dead letters are replayed from Kafka: set PIXHOUND_BUS=kafka")
        report = asyncio.run(
            replay_dead_letters(
                settings.kafka_bootstrap,
                args.topic,
                topic_prefix=settings.topic_prefix,
                since=_utc(args.since),
                until=_utc(args.until),
                event_ids=set(args.event_ids) if args.event_ids else None,
                dry_run=args.dry_run,
            )
        )
        sys.stdout.write(json.dumps({"scanned": report.scanned, "replayed": report.replayed}) + "\n")
        return
    if settings.effective_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if args.command == "migrate" or getattr(args, "migrate", False):
        upgrade(package, settings.effective_database_url)
    if args.command == "serve":
        uvicorn.run(service.create_app(settings), host=args.host, port=args.port, log_config=None, access_log=False)


def _utc(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo is not None else moment.replace(tzinfo=UTC)
