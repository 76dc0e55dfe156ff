"""Forms that keep what was typed: the limits a form shows, taken from the payload models
(so a field's rule is stated once, in src/brady/domain), and what a model refused, in plain
words next to the field it is about."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

_HTML = {"maxLength": "maxlength", "minLength": "minlength", "minimum": "min", "maximum": "max"}


def limits(model: type[BaseModel]) -> dict[str, dict[str, int]]:
    """Each field's limits as HTML attributes (maxlength, minlength, min, max), as the
    model states them; a list's limits are those of its entries."""
    out: dict[str, dict[str, int]] = {}
    for name, prop in model.model_json_schema().get("properties", {}).items():
        options = [prop, *prop.get("anyOf", [])]
        options += [o["items"] for o in options if isinstance(o.get("items"), dict)]
        found: dict[str, int] = {}
        for option in options:
            for key, attr in _HTML.items():
                if isinstance(option.get(key), int | float):
                    found[attr] = int(option[key])
        out[name] = found
    return out


def _shown(value: Any) -> str:
    text = str(value)
    if text.lstrip("-").isdigit():
        return f"{int(text):,}"
    return text if len(text) <= 40 else f"{len(text):,} characters"


def plain(error: Mapping[str, Any], label: str, listed: bool = False) -> str:
    """One refusal of a model, in words for the person at the form (`listed`: a field
    whose value is chosen from a list)."""
    kind, ctx, got = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    if listed and kind in ("missing", "enum", "literal_error", "string_pattern_mismatch"):
        return f"Choose the {label.lower()} from the list."
    if kind == "string_too_long":
        size = len(got) if isinstance(got, str) else 0
        return (
            f"{label} is {size:,} characters long; it can hold at most "
            f"{int(ctx.get('max_length', 0)):,}. Shorten it and send it again."
        )
    id_like = "A-Za-z0-9" in str(ctx.get("pattern", ""))  # an id; else text with a letter
    if kind in ("missing", "string_too_short") or (
        kind == "string_pattern_mismatch" and not id_like
    ):
        return f"{label} is needed: fill it in."
    if kind == "string_pattern_mismatch":
        return (
            f"{label} may hold only letters, digits and . _ : / - (at most 80, starting "
            "with a letter or digit), with no spaces."
        )
    if kind == "less_than_equal":
        return f"{label} can be at most {int(ctx['le']):,}; you entered {_shown(got)}."
    if kind == "greater_than_equal":
        return f"{label} must be at least {int(ctx['ge']):,}; you entered {_shown(got)}."
    if kind.startswith("int_"):
        return f"{label} must be a whole number, such as 12; you entered {_shown(got)!r}."
    if kind in ("enum", "literal_error"):
        return f"Choose the {label.lower()} from the list."
    return f"{label}: {error.get('msg', 'this value cannot be recorded')}."


def problems(
    exc: ValidationError,
    labels: Mapping[str, str],
    fields: Mapping[str, str] | None = None,
    listed: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """{form field: what is wrong with it}, the first refusal of each field. `fields` maps
    a model's field to the form's where their names differ (case_ids -> case_id); `listed`
    names the fields chosen from a list."""
    out: dict[str, str] = {}
    fields = fields or {}
    for error in exc.errors():
        # A field's name is the first known one in its location: ("case_ids", 0) is the
        # case, ("transfer", "reason") the reason of a transfer (a step's union tag first).
        names = [str(p) for p in error.get("loc") or () if isinstance(p, str)] or [""]
        found = next((n for n in names if n in labels or n in fields), names[-1])
        name = fields.get(found, found)
        label = labels.get(name, name.replace("_", " ").capitalize())
        out.setdefault(name, plain(error, label, name in listed))
    return out
