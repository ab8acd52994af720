"""Command line: `python -m pixhound_matcher serve|migrate`."""

from pixhound_matcher.app import create_app
from pixhound_matcher.settings import MatcherSettings
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_matcher", MatcherSettings, create_app)
