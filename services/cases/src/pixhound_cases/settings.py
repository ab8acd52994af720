"""Cases settings on top of the shared service settings."""

from pixhound_platform.settings import ServiceSettings


class CasesSettings(ServiceSettings):
    service_name: str = "cases"
