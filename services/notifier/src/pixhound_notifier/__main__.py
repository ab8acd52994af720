"""Command line: `python -m pixhound_notifier serve|migrate|revision`."""

from pixhound_notifier.app import SERVICE
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_notifier", SERVICE)
