"""Command line: `python -m pixhound_portal serve` runs the portal on its own."""

from __future__ import annotations

import argparse

import uvicorn

from pixhound_platform.observability import configure_logging
from pixhound_portal.app import create_app
from pixhound_portal.settings import PortalSettings


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m pixhound_portal")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the photographers' portal")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    settings = PortalSettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
