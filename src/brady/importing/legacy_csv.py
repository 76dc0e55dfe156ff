"""Items from a legacy property-room system's CSV export, mapped to intake events.

A small mapping file says which legacy column feeds which intake field, how
legacy category codes translate, and who records the intakes:

    by: clerk                      # the Brady user who signs the intakes
    columns:                       # Brady field: legacy column
      item_id: Barcode
      description: Item Description
      category: Type
      location_id: Bin
      at: Date Received
      case_ids: Case No            # several cases separated by ';'
    categories:                    # legacy value: Brady category
      GUN: firearm
      AMMO: ammunition
    defaults:                      # fields with the same value for every row
      quantity: 1

The rows then go through `brady import` (all or nothing, the same rules).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from .importer import ImportRefusedError

LIST_FIELDS = frozenset({"case_ids", "seals"})
INT_FIELDS = frozenset({"quantity"})


def load_mapping(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise ImportRefusedError(f"{path.name} must have a 'columns' mapping", "columns")
    if not isinstance(data.get("by"), str):
        raise ImportRefusedError(f"{path.name} must name the user who records ('by')", "by")
    return data


def csv_events(csv_path: Path, mapping: dict[str, Any]) -> dict[str, Any]:
    """An import document with one item.intake event per CSV row."""
    columns: dict[str, str] = mapping["columns"]
    categories: dict[str, str] = {
        str(k).strip().lower(): v for k, v in (mapping.get("categories") or {}).items()
    }
    defaults: dict[str, Any] = mapping.get("defaults") or {}
    events: list[dict[str, Any]] = []
    with csv_path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        absent = [c for c in columns.values() if c not in (reader.fieldnames or [])]
        if absent:
            raise ImportRefusedError(
                f"{csv_path.name} has no column {', '.join(repr(a) for a in absent)}; it has "
                f"{', '.join(reader.fieldnames or [])}",
                "columns",
            )
        for line, row in enumerate(reader, start=2):
            event: dict[str, Any] = {
                "do": "item.intake",
                "by": mapping["by"],
                **defaults,
                "_source": f"{csv_path.name} line {line}",
            }
            for field, column in columns.items():
                value = (row.get(column) or "").strip()
                if not value:
                    continue
                event[field] = _convert(field, value, categories, csv_path.name, line, column)
            events.append(event)
    return {"brady_import": 1, "events": events}


def _convert(
    field: str, value: str, categories: dict[str, str], name: str, line: int, column: str
) -> Any:
    if field in LIST_FIELDS:
        return [v.strip() for v in value.split(";") if v.strip()]
    if field in INT_FIELDS:
        try:
            return int(value)
        except ValueError as exc:
            raise ImportRefusedError(
                f"{name} line {line}, column {column!r}: {value!r} is not a whole number", field
            ) from exc
    if field == "category" and categories:
        mapped = categories.get(value.lower())
        if mapped is None:
            raise ImportRefusedError(
                f"{name} line {line}, column {column!r}: no category mapping for {value!r}", field
            )
        return mapped
    return value
