"""The JSON Schemas the demo files point editors at are the ones `pim schema` writes today."""

from pathlib import Path

from pim.schema import catalog_schemas

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schemas_are_up_to_date():
    for name, data in catalog_schemas().items():
        assert (ROOT / "catalog/schemas" / name).read_bytes() == data, f"run `pim schema` to refresh {name}"


def test_every_demo_file_points_at_its_schema():
    for path in sorted((ROOT / "catalog").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file(), f"{path} points at {target}"
