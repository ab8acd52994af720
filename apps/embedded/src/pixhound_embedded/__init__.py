"""The embedded platform: all five services in one process, for newcomers and demos.

This is an entry point, not a service: it is the one place allowed to import every
service, which it mounts side by side on one in-process bus.
"""
