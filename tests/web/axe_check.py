"""Accessibility check of a page in the browser: axe-core (bundled with
axe-playwright-python, nothing downloaded) run on what the person sees now. A serious or
critical violation fails the test, each named by rule, what to do, and where, so the fix
can be made in the template or the style sheet that caused it."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page

BLOCKING = frozenset({"serious", "critical"})
"""axe's impacts that stop someone using the page (a screen reader that cannot name a
field, text too faint to read); minor and moderate ones are left to review."""
TARGETS_SHOWN = 3

_axe = Axe()


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it stands."""
    found: list[dict[str, Any]] = _axe.run(page).response["violations"]
    return [v for v in found if v.get("impact") in BLOCKING]


def described(found: list[dict[str, Any]]) -> str:
    """One line per violation: rule, impact, axe's advice, and the first few elements."""
    lines = []
    for v in found:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:TARGETS_SHOWN]]
        more = len(v["nodes"]) - len(targets)
        where = "; ".join(targets) + (f"; and {more} more" if more > 0 else "")
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} at {where}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail, listing each serious or critical axe violation, unless there are none."""
    found = violations(page)
    assert not found, f"axe on {page.url}:\n{described(found)}"
