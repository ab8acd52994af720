"""Command line: `python -m pixhound_embedded run` (the platform) or `demo` (the scripted scenario)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pixhound_platform.observability import configure_logging


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m pixhound_embedded")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve every service in one process on embedded defaults")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--data-dir", type=Path, default=Path(".local/embedded"))
    demo = commands.add_parser("demo", help="run the stolen-photo scenario end to end")
    demo.add_argument("--stack", choices=["embedded", "real"], default="embedded")
    args = parser.parse_args()
    if args.command == "run":
        from pixhound_embedded.runner import SERVICES
        from pixhound_embedded.runner import run as run_platform

        sys.stdout.write(
            f"Pixhound is starting on http://{args.host}:{args.port}/\n"
            + "".join(f"  {name:9} API docs: http://{args.host}:{args.port}/{name}/docs\n" for name in SERVICES)
            + f"  data (SQLite, objects, mail): {args.data_dir.resolve()}\n"
        )
        sys.stdout.flush()
        run_platform(args.host, args.port, args.data_dir)
        return 0
    configure_logging("demo", "WARNING", json_output=False)
    from pixhound_embedded.demo import main as demo_main

    return demo_main(args.stack)


if __name__ == "__main__":
    raise SystemExit(main())
