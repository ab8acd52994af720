"""Generate the Python event code from the protobuf schemas, or check it has not drifted.

The `.proto` files under `proto/pixhound_events/` are the single source of truth for
every event; the generated modules under `proto/python/` are committed so services
can import them without a compiler, and CI runs `--check` to refuse hand edits or
schemas changed without regeneration.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parent
SCHEMA_DIR = PROTO_ROOT / "pixhound_events"
OUTPUT_ROOT = PROTO_ROOT / "python"
PACKAGE_DOC = '"""Generated from proto/pixhound_events; do not edit by hand (run `make proto`)."""\n'


def generate(output_root: Path) -> None:
    schemas = sorted(str(path.relative_to(PROTO_ROOT)) for path in SCHEMA_DIR.rglob("*.proto"))
    well_known = Path(protoc.__file__).resolve().parent / "_proto"
    status = protoc.main(
        [
            "protoc",
            f"-I{PROTO_ROOT}",
            f"-I{well_known}",
            f"--python_out={output_root}",
            f"--pyi_out={output_root}",
            *schemas,
        ]
    )
    if status != 0:
        raise SystemExit(f"protoc failed with status {status}")
    for package_dir in [
        output_root / "pixhound_events",
        *(p for p in (output_root / "pixhound_events").rglob("*") if p.is_dir()),
    ]:
        (package_dir / "__init__.py").write_text(PACKAGE_DOC)
    (output_root / "pixhound_events" / "py.typed").write_text("")


def differences(expected: Path, actual: Path) -> list[str]:
    comparison = filecmp.dircmp(expected, actual, ignore=["__pycache__"])
    problems: list[str] = []

    def walk(node: filecmp.dircmp, prefix: str) -> None:
        problems.extend(f"missing in committed code: {prefix}{name}" for name in node.left_only)
        problems.extend(f"not produced by the schemas: {prefix}{name}" for name in node.right_only)
        problems.extend(f"differs: {prefix}{name}" for name in node.diff_files)
        for name, child in node.subdirs.items():
            walk(child, f"{prefix}{name}/")

    walk(comparison, "")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if committed code differs from the schemas")
    args = parser.parse_args()
    if not args.check:
        generate(OUTPUT_ROOT)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        generate(fresh)
        problems = differences(fresh / "pixhound_events", OUTPUT_ROOT / "pixhound_events")
    for problem in problems:
        sys.stderr.write(f"proto drift: {problem}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
