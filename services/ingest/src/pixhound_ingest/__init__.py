"""Ingest: where photographers open accounts and upload the photos Pixhound protects."""
