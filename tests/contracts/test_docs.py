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
