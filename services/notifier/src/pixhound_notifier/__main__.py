"""Command line: `python -m pixhound_notifier serve|migrate`."""

from pixhound_notifier.app import create_app
from pixhound_notifier.settings import NotifierSettings
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_notifier", NotifierSettings, create_app)
