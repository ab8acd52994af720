"""Command line: `python -m pixhound_cases serve|migrate`."""

from pixhound_cases.app import create_app
from pixhound_cases.settings import CasesSettings
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_cases", CasesSettings, create_app)
