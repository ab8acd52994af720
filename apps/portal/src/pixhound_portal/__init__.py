"""The photographers' web portal: server-rendered pages over the services' public HTTP APIs.

It is a backend for the frontend: the browser talks only to the portal, the portal talks to
ingest, crawler, cases and notifier with the photographer's own bearer token, and it keeps no
business data of its own (its only state is the signed session cookie).
"""
