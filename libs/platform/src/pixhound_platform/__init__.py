"""Shared building blocks for Pixhound services.

Every service is built from the same parts so that a reader who knows one knows all;
this package holds those parts and nothing domain-specific. Services import it and the
generated event code, never each other.
"""
