"""Command line: `python -m pixhound_cases serve|migrate|revision`."""

from pixhound_cases.app import SERVICE
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_cases", SERVICE)
