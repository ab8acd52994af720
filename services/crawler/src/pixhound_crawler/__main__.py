"""Command line: `python -m pixhound_crawler serve|migrate|revision`."""

from pixhound_crawler.app import SERVICE
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_crawler", SERVICE)
