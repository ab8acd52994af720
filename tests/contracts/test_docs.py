"""The configuration reference in docs/ is generated from the settings classes and must be current."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_configuration_reference_is_current():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "settings_reference.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_every_authenticated_endpoint_declares_its_security_scheme():
    from pixhound_cases.app import create_app
    from pixhound_cases.settings import CasesSettings

    spec = create_app(CasesSettings(), configure_logs=False).openapi()
    schemes = spec["components"]["securitySchemes"]
    assert {"PhotographerToken", "PartnerApiKey", "OperatorToken"} <= set(schemes)
    for path, operations in spec["paths"].items():
        if path.startswith(("/v1/", "/partner/v1/", "/admin/v1/")):
            for method, operation in operations.items():
                assert operation.get("security"), f"{method.upper()} {path} documents no security scheme"
