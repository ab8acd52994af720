"""Notifier: tells photographers, in their language, what Pixhound found and what changed."""
