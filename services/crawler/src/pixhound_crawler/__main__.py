"""Command line: `python -m pixhound_crawler serve|migrate`."""

from pixhound_crawler.app import create_app
from pixhound_crawler.settings import CrawlerSettings
from pixhound_platform.cli import run_service_cli

run_service_cli("pixhound_crawler", CrawlerSettings, create_app)
