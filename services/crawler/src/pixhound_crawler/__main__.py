"""Command line: `python -m pixhound_crawler serve|migrate|revision`, and `scan` for a one-off crawl to JSON lines."""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "scan":
    from pixhound_crawler.scan import main

    raise SystemExit(main(sys.argv[2:]))

from pixhound_crawler.app import SERVICE  # noqa: E402
from pixhound_platform.cli import run_service_cli  # noqa: E402

run_service_cli("pixhound_crawler", SERVICE)
