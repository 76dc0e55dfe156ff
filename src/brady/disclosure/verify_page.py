"""verify.html: the page in every production that lets defense counsel check it with
nothing but a browser (issue #17), where today it takes sha256sum, bagit.py and
brady-verify.

The page is one self-contained file, the same for every production: it reads the folder
counsel picks and the key counsel pastes, nothing about the production is written into
it. So its SHA-256 can be published once, and a copy from the court filing or the portal
checks any production just as well as the copy inside it (which a forger could replace).

Ed25519 comes from the browser's WebCrypto. For browsers without it, the pinned
@noble/ed25519 that scripts/ensure-js.sh installs in js/node_modules (from
js/package-lock.json) is embedded when a bag is built; without it the page still checks
with WebCrypto, and says which one it used.
"""

from __future__ import annotations

import base64
import html
import json
from functools import cache
from importlib.resources import files
from pathlib import Path

PAGE_NAME = "verify.html"
_SLOT = "<!-- ed25519 fallback -->"
NOBLE = Path(__file__).resolve().parents[3] / "js" / "node_modules" / "@noble" / "ed25519"
"""Where scripts/ensure-js.sh installs the fallback: beside the source, so a server run
from a checkout (or an editable install) embeds it; a wheel install goes without."""


def write(bag: Path) -> Path:
    """Write the page at the top of a bag's folder."""
    target = bag / PAGE_NAME
    target.write_text(page(), encoding="utf-8")
    return target


@cache
def page() -> str:
    """The page as every production gets it (read once per process)."""
    return render(NOBLE)


def render(noble: Path) -> str:
    """The page, with the Ed25519 fallback from the package folder `noble` if it is there."""
    template = files(__package__).joinpath(PAGE_NAME).read_text(encoding="utf-8")
    return template.replace(_SLOT, _fallback(noble), 1)


def _fallback(noble: Path) -> str:
    """The library as base64 text in an inert block (base64 holds no '</script>', so no
    escaping can go wrong), which the page imports only if WebCrypto lacks Ed25519; its
    MIT licence rides along in a comment, as the licence asks."""
    try:
        meta = json.loads((noble / "package.json").read_text(encoding="utf-8"))
        code = (noble / "index.js").read_bytes()
        licence = (noble / "LICENSE").read_text(encoding="utf-8")
    except (OSError, ValueError):
        return ""
    if meta.get("name") != "@noble/ed25519":
        return ""
    version = html.escape(str(meta.get("version", "")))
    notice = licence.replace("--", "- -")
    return (
        f"<!-- @noble/ed25519 {version}, embedded for browsers without Ed25519 in WebCrypto.\n"
        f"{notice}-->\n"
        f'<script type="text/plain" id="noble-ed25519" data-version="{version}">\n'
        f"{base64.b64encode(code).decode()}\n</script>"
    )
