"""Crawler: finds the web pages that show images, keeps proof of what they showed."""
