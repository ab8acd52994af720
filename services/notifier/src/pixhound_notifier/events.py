"""The notifier publishes no events yet; it only consumes."""

PUBLISHES: list[str] = []
