"""Command line: `python -m pixhound_ingest serve|migrate|revision`."""

from pixhound_ingest.app import SERVICE
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_ingest", SERVICE)
