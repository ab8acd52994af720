"""Command line: `python -m pixhound_ingest serve|migrate`."""

from pixhound_ingest.app import create_app
from pixhound_ingest.settings import IngestSettings
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_ingest", IngestSettings, create_app)
