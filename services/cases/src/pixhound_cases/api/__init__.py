"""The cases HTTP APIs: photographers' portal (`/v1`), partner agencies (`/partner/v1`), operators (`/admin/v1`)."""

from pixhound_cases.api.admin import router as admin_router
from pixhound_cases.api.partner import router as partner_router
from pixhound_cases.api.photographer import router as photographer_router

routers = [photographer_router, partner_router, admin_router]
