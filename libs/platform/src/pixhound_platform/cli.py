"""The command line every service exposes: `python -m pixhound_<service> serve|migrate`."""

from __future__ import annotations

import argparse

import uvicorn

from pixhound_platform.app import ServiceDefinition
from pixhound_platform.migrations import autogenerate_revision, upgrade


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
    args = parser.parse_args()
    if args.command == "revision":
        autogenerate_revision(package, args.message, args.id)
        return
    settings = service.settings_class()
    if settings.effective_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if args.command == "migrate" or getattr(args, "migrate", False):
        upgrade(package, settings.effective_database_url)
    if args.command == "serve":
        uvicorn.run(service.create_app(settings), host=args.host, port=args.port, log_config=None, access_log=False)
