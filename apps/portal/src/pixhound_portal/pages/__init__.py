"""The portal's pages, one module per part of the photographer's journey."""

from __future__ import annotations

from pixhound_portal.pages import account, cases, money, notifications, photos, scans

ROUTERS = (account.router, photos.router, scans.router, cases.router, money.router, notifications.router)
UPLOAD_PATHS = ("/photos/upload",)
