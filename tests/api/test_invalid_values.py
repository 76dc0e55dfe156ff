"""Every route that takes a JSON body answers 422, naming the field, for a value that field
can never hold: a pattern it does not match, a word outside its vocabulary, a date that is
not a date, text of spaces only, a number below its least, an empty list that needs one.

The invalid values are derived from the served schema itself, operation by operation, so a
route added later is covered without editing this file; and because the bodies are the
events' own payload models, the rule the schema states is the rule the record enforces.
Nothing is recorded by any of these requests (the ledger's size is checked at the end).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .conftest import AS_USER, World


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def _kinds(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a property (optional fields are anyOf [x, null])."""
    options = schema.get("anyOf", [schema])
    return [o for o in options if o.get("type") != "null"]


def _never_valid(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value no alternative of the property accepts, or None if the schema states no rule
    that a value of the right type could break."""
    options = [_resolve(spec, o) for o in _kinds(schema)]
    if len(options) != 1:
        return None
    o = options[0]
    if "enum" in o:
        return "no-such-value"
    if o.get("format") in ("date", "date-time"):
        return "31 February, around noon"
    if o.get("type") == "string":
        return _bad_string(o)
    if o.get("type") == "integer" and "minimum" in o:
        return o["minimum"] - 1
    if o.get("type") == "boolean":
        return "perhaps"
    if o.get("type") == "array" and o.get("minItems", 0) > 0:
        return []
    if o.get("type") == "array":
        bad = _never_valid(spec, o.get("items", {}))
        return None if bad is None else [bad]
    return None


def _bad_string(o: dict[str, Any]) -> str | None:
    """The first of a few plainly wrong texts that this string's rules refuse."""
    for text in ("", "   ", "\u00e9 not/allowed here !", "x" * 100_001):
        if (
            len(text) < o.get("minLength", 0)
            or len(text) > o.get("maxLength", len(text))
            or ("pattern" in o and re.search(o["pattern"], text) is None)
        ):
            return text
    return None


def _body_schemas(spec: dict[str, Any], op: dict[str, Any]) -> list[dict[str, Any]]:
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return []
    schema = _resolve(spec, content["schema"])
    return [_resolve(spec, s) for s in schema.get("oneOf", [schema])]


PATH_IDS = {
    "case_id": "CA1",
    "item_id": "IA1",
    "user_id": "clerkA",
    "request_id": "LR1",
    "inventory_id": "INV1",
}


def _cases(w: World) -> Iterator[tuple[str, str, str, dict[str, Any], str]]:
    spec = w.client.get("/openapi.json", headers=w.as_("admin")).json()
    ids = {
        **PATH_IDS,
        "suggestion_id": w.suggestion,
        "production_id": w.production,
    }
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            user = AS_USER.get(op.get("x-access", ""), "clerkA")
            schemas = _body_schemas(spec, op)
            url = path.format(**ids) if schemas else path
            for schema in schemas:
                tag = schema["properties"].get("action", {}).get("const")
                for name, prop in schema["properties"].items():
                    bad = _never_valid(spec, prop)
                    if bad is None:
                        continue
                    body = {name: bad} if tag is None else {"action": tag, name: bad}
                    yield method, url, user, body, name


def test_every_invalid_value_is_a_422_naming_its_field(module_world: World) -> None:
    w = module_world
    with w.led.engine.connect() as conn:
        size_before = conn.exec_driver_sql("SELECT count(*) FROM ledger_entry").scalar_one()
    tried: set[tuple[str, str]] = set()
    wrong = []
    values = 0
    for method, url, user, body, name in _cases(w):
        values += 1
        got = w.client.request(method, url, json=body, headers=w.as_(user))
        fields = [e.get("field") or "" for e in got.json().get("errors", [])] if got.content else []
        named = any(name in f.split(".") for f in fields)
        if got.status_code != 422 or not named:
            wrong.append((method, url, body, got.status_code, got.text[:300]))
        tried.add((method.upper(), url))
    assert not wrong, "\n".join(map(str, wrong))
    # Each body route was reached, the step route for each of its actions.
    assert len(tried) >= 30 and values >= 120, (values, sorted(tried))
    with w.led.engine.connect() as conn:
        size_after = conn.exec_driver_sql("SELECT count(*) FROM ledger_entry").scalar_one()
    assert size_after == size_before
