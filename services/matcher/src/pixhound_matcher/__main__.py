"""Command line: `python -m pixhound_matcher serve|migrate|revision`."""

from pixhound_matcher.app import SERVICE
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_matcher", SERVICE)
