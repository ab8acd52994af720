"""Matcher: recognises copies of photographers' photos among images found on the web."""
