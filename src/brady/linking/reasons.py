"""The reasons a suggestion gives, in plain words for the prosecutor who reviews it."""

from __future__ import annotations

from .candidates import Evidence
from .names import Agreement

KIND_WORDS = {
    "caliber": "caliber",
    "make": "make",
    "serial": "serial number",
    "serial~": "serial number",
    "phone": "phone number",
    "plate": "plate",
    "plate~": "plate",
    "organization": "organization",
    "place": "place",
    "town": "town",
    "street": "street",
    "address": "address",
    "address@": "address",
    "case_number": "case number",
    "case_ref": "short case number",
}


def said_person(ev: Evidence, professional: bool) -> str:
    who = ev.detail
    level = Agreement(ev.level)
    if level == Agreement.EXACT:
        said = f"it names {ev.text} ({who} in this case)"
    elif level == Agreement.SURNAME:
        said = f"it mentions the surname {ev.text}, like {who} in this case"
    else:
        said = f"it names {ev.text}, spelled like {who} in this case"
    if professional:
        said += " (named in reports as an officer or analyst, so it counts for little)"
    return said


def said_thing(evs: list[Evidence], factor: str) -> str:
    first = evs[0]
    what = KIND_WORDS.get(first.kind, first.kind)
    if first.kind == "case_number":
        return f"it names this case's number {first.text}"
    if first.kind == "case_ref":
        held = next((e.detail for e in evs if e.via == "case"), first.key)
        if factor == "case_ref_other":
            return (
                f"it names {first.text}, which has this case's year and number ({held}) "
                "but another agency's letters"
            )
        return f"it names {first.text}, which may be this case's number {held} written short"
    near = " (one character apart, or a look-alike)" if first.kind.endswith("~") else ""
    if first.kind == "address":
        near = " (in another town, or with no town given)"
    items = [e for e in evs if e.via == "item"]
    if items:
        count = sum(int(e.detail or 1) for e in items)
        example = min(e.via_id for e in items)
        like = f"item {example}" if count == 1 else f"{count} items (such as {example})"
        return f"it mentions the {what} {first.text}{near}, like {like} of this case"
    return f"it mentions the {what} {first.text}{near}, as this case's file does"
