"""verify.html (issue #17): defense counsel checks a production with nothing but a browser.

Two real productions of the Rust case (the second carries a consistency proof from the
first), each page opened from file:// in Debian's Chromium, the folder picked on its
input, the agency's key pasted, as counsel would. Each tampering is checked against the
Python verifier too, so the page and `brady-verify bundle` agree on what fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import bagit
import pytest
from playwright.sync_api import Browser, Page

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import load_rust
from brady.custody.service import Custody
from brady.disclosure import verify_page
from brady.disclosure.desk import Desk
from brady.disclosure.production import bag_hash, produce
from brady.ledger.cli import run as verify_cli
from brady.ledger.ed25519 import Signer
from brady.ledger.note import Verifier
from brady.ledger_home import init_home

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors"
TODAY = date(2024, 7, 12)
NO_WEBCRYPTO_ED25519 = """
const importKey = SubtleCrypto.prototype.importKey;
SubtleCrypto.prototype.importKey = function (format, data, algorithm, ...rest) {
  if ((algorithm?.name ?? algorithm) === "Ed25519") {
    return Promise.reject(new DOMException("Unrecognized name", "NotSupportedError"));
  }
  return importKey.call(this, format, data, algorithm, ...rest);
};
"""
"""What a browser without Ed25519 in WebCrypto (as Chromium before 137) answers."""


@dataclass(frozen=True)
class Made:
    key: str  # the agency's log key, as filed with the court
    first: Path  # BALDWIN-P1
    second: Path  # BALDWIN-P2, which proves the ledger only grew since P1


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    led = init_home(tmp_path_factory.mktemp("home") / "home")
    custody = Custody(led)
    bootstrap_admin(custody)
    load_rust(custody, lambda e: e["do"] not in {"disclosure.produce", "disclosure.receipt"})
    out = tmp_path_factory.mktemp("productions")

    def hand_over(production_id: str, units: list[str]) -> None:
        produce(
            led,
            "morrissey",
            "state-v-baldwin",
            production_id,
            "Alex Spiro",
            out,
            units,
            today=TODAY,
        )

    hand_over("BALDWIN-P1", ["item:RUST-CASING"])
    with custody.session() as s:  # any later event: the ledger grows in between
        Desk(s).request("morrissey", "state-v-baldwin", "Alex Spiro")
    hand_over("BALDWIN-P2", ["item:RUST-CASING", "lab:FBI-RUST-1"])
    yield Made(led.config.log_vkey, out / "BALDWIN-P1", out / "BALDWIN-P2")
    led.close()


@dataclass(frozen=True)
class Seen:
    verdict: str
    bag_hash: str
    engine: str
    bag_key: str


def check(
    browser: Browser, bag: Path, key: str, page_file: Path | None = None, script: str = ""
) -> Seen:
    """Open the page from file://, pick the bag's folder, paste the key, press Check."""
    page: Page = browser.new_page()
    try:
        if script:
            page.add_init_script(script)
        page.goto((page_file or bag / "verify.html").as_uri())
        page.set_input_files("#folder", str(bag))
        page.fill("#key", key)
        page.click("#check")
        page.wait_for_selector("#verdict.ok, #verdict.bad", timeout=20_000)
        return Seen(
            page.inner_text("#verdict"),
            page.inner_text("#bag-hash") if page.is_visible("#identity") else "",
            page.inner_text("#engine"),
            page.inner_text("#bag-key") if page.is_visible("#bag-key") else "",
        )
    finally:
        page.close()


def copy_of(bag: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(bag, tmp_path / bag.name))


def remake_manifests(bag: Path) -> None:
    """What a forger who rewrote the bag would do: manifests that match the new files."""
    bagit.Bag(str(bag)).save(manifests=True)


def test_counsel_verifies_each_production_and_sees_its_identity(
    browser: Browser, made: Made
) -> None:
    for bag in (made.first, made.second):
        seen = check(browser, bag, made.key)
        assert seen.verdict.startswith("Verified: production " + bag.name), seen.verdict
        assert "signed by the key you pasted" in seen.verdict
        assert seen.bag_hash == bag_hash(bag)
        assert "WebCrypto" in seen.engine and "noble" not in seen.engine
        assert made.key in seen.bag_key  # the key the bag names, to compare with the filing
    # The second proves, from the first's checkpoint, that the ledger only grew.
    assert "only grew" in seen.verdict
    assert verify_cli(["bundle", str(made.second), "--earlier", str(made.first)]) == 0


def test_one_changed_byte_in_a_payload_file_is_named(
    browser: Browser, made: Made, tmp_path: Path
) -> None:
    bag = copy_of(made.first, tmp_path)
    (record,) = (bag / "data" / "evidence").glob("*.json")
    raw = bytearray(record.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    record.write_bytes(bytes(raw))
    seen = check(browser, bag, made.key)
    assert seen.verdict.startswith("NOT verified: "), seen.verdict
    assert f"data/evidence/{record.name} was changed" in seen.verdict
    assert verify_cli(["bundle", str(bag)]) == 1


def test_a_file_taken_out_and_one_slipped_in_are_both_named(
    browser: Browser, made: Made, tmp_path: Path
) -> None:
    bag = copy_of(made.first, tmp_path)
    (report,) = (bag / "data" / "custody").glob("*.pdf")
    report.unlink()
    (bag / "data" / "evidence" / "note.txt").write_text("added later", encoding="utf-8")
    seen = check(browser, bag, made.key)
    assert seen.verdict.startswith("NOT verified: 2 problems"), seen.verdict
    assert f"data/custody/{report.name} is missing" in seen.verdict
    assert "data/evidence/note.txt is in the folder but not in the production's manifest" in (
        seen.verdict
    )


def _another_key(vkey: str) -> str:
    """A key of the same name that did not sign: what a wrong filing or a forger has."""
    return Verifier(Verifier.from_vkey(vkey).name, Signer.generate().public_key).vkey()


def _garbled(vkey: str) -> str:
    """The filed key with one character of its key id changed, as a bad copy would."""
    name, key_id, blob = vkey.split("+", 2)
    return f"{name}+{key_id[:-1]}{'0' if key_id[-1] != '0' else '1'}+{blob}"


@pytest.mark.parametrize(
    ("wrong", "said", "advice"),
    [
        (_another_key, "is not signed by the key you pasted", "Do not rely on this production"),
        (_garbled, "the key you pasted is damaged", "Paste the key again"),
        (lambda k: "", "paste the ledger's public key", "Paste the key again"),
    ],
    ids=["another key", "garbled key", "no key"],
)
def test_only_the_key_filed_with_the_court_verifies(
    browser: Browser, made: Made, wrong: Any, said: str, advice: str
) -> None:
    """A key that did not sign condemns the production; a badly pasted one only the paste."""
    seen = check(browser, made.first, wrong(made.key))
    assert seen.verdict.startswith("NOT verified: "), seen.verdict
    assert said in seen.verdict and advice in seen.verdict
    assert seen.bag_hash == bag_hash(made.first)


def _forge_hash(path: Path, line: int) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line] = base64.b64encode(hashlib.sha256(b"forged").digest()).decode()
    path.write_text("\n".join(lines), encoding="utf-8")


def _flip_entry(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[raw.index(b'"payload"') + 12] ^= 0x01
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    ("where", "forge", "said"),
    [
        ("entries/*.proof", lambda p: _forge_hash(p, 2), "was altered"),
        ("consistency/*.proof", lambda p: _forge_hash(p, 0), "does not extend the one of"),
        ("entries/*.entry", _flip_entry, "is not the entry the signed ledger holds"),
    ],
    ids=["inclusion proof", "consistency proof", "ledger entry"],
)
def test_a_tampered_proof_fails_even_with_the_manifests_remade(
    browser: Browser, made: Made, tmp_path: Path, where: str, forge: Any, said: str
) -> None:
    bag = copy_of(made.second, tmp_path)
    target = sorted((bag / "data" / "ledger").glob(where))[-1]
    forge(target)
    remake_manifests(bag)
    seen = check(browser, bag, made.key)
    assert seen.verdict.startswith("NOT verified: "), seen.verdict
    assert said in seen.verdict and target.relative_to(bag).as_posix() in seen.verdict
    assert seen.bag_hash == bag_hash(bag)  # the forged bag has another identity
    assert bag_hash(bag) != bag_hash(made.second)
    assert verify_cli(["bundle", str(bag / "data" / "ledger"), "--key", made.key]) == 1


def test_without_webcrypto_ed25519_the_built_in_copy_checks(browser: Browser, made: Made) -> None:
    assert (verify_page.NOBLE / "index.js").is_file(), "run scripts/ensure-js.sh"
    seen = check(browser, made.second, made.key, script=NO_WEBCRYPTO_ED25519)
    assert seen.verdict.startswith("Verified: "), seen.verdict
    assert "@noble/ed25519 3.2.0, built into this page" in seen.engine
    wrong = check(browser, made.second, _another_key(made.key), script=NO_WEBCRYPTO_ED25519)
    assert wrong.verdict.startswith("NOT verified: "), wrong.verdict


def test_a_copy_of_the_page_from_elsewhere_checks_the_bag_too(
    browser: Browser, made: Made, tmp_path: Path
) -> None:
    """The page is the same for every production: a copy from the filing checks any bag
    (a forger can replace the copy inside it). Built without the fallback library, it says
    so in a browser that lacks Ed25519 rather than verify nothing."""
    plain = tmp_path / "verify.html"
    plain.write_text(verify_page.render(tmp_path / "no-such-library"), encoding="utf-8")
    assert 'id="noble-ed25519"' not in plain.read_text(encoding="utf-8")
    assert check(browser, made.first, made.key, page_file=plain).verdict.startswith("Verified")
    seen = check(browser, made.first, made.key, page_file=plain, script=NO_WEBCRYPTO_ED25519)
    assert "NOT verified: this browser cannot check Ed25519 signatures" in seen.verdict


def _b64(hex_or_b64: str | None, is_hex: bool) -> str:
    if not hex_or_b64:
        return ""
    return base64.b64encode(bytes.fromhex(hex_or_b64)).decode() if is_hex else hex_or_b64


def _cases() -> list[dict[str, Any]]:
    """Every transparency-dev proof case and the RFC 6962 known answers, numbers as text
    (sizes reach 2^64 - 1), hashes as base64."""
    out: list[dict[str, Any]] = []
    kat = json.loads((VECTORS / "rfc6962_kat.json").read_text())
    files = sorted((VECTORS / "transparency-dev-merkle-testdata").rglob("*.json"))
    sources = [(p.name, json.loads(p.read_text()), False) for p in files]
    sources += [("kat", c, True) for c in kat["inclusion_happy_path"]]
    sources += [("kat", c, True) for c in kat["consistency_happy_path"]]
    for name, c, is_hex in sources:
        keys = ("leafIdx", "treeSize") if "leafIdx" in c else ("size1", "size2")
        hashes = ("leafHash", "root") if "leafIdx" in c else ("root1", "root2")
        out.append(
            {
                "name": name,
                "kind": "inclusion" if "leafIdx" in c else "consistency",
                "sizes": [str(c[k]) for k in keys],
                "hashes": [_b64(c[h], is_hex) for h in hashes],
                "proof": [_b64(h, is_hex) for h in c.get("proof") or []],
                "wantErr": c["wantErr"],
            }
        )
    return out


RUN_CASES = """async ({cases, hasher}) => {
  const m = window.bradyMerkle;
  const b = (x) => Uint8Array.from(atob(x), (c) => c.charCodeAt(0));
  const h = (x) => Uint8Array.from(x.match(/../g) ?? [], (d) => parseInt(d, 16));
  const hex = (a) => Array.from(a, (x) => x.toString(16).padStart(2, "0")).join("");
  const wrong = [];
  for (const c of cases) {
    const [s1, s2] = c.sizes.map(BigInt);
    const [h1, h2] = c.hashes.map(b);
    let failed = false;
    try {
      if (c.kind === "inclusion") await m.verifyInclusion(s1, s2, h1, c.proof.map(b), h2);
      else await m.verifyConsistency(s1, s2, c.proof.map(b), h1, h2);
    } catch { failed = true; }
    if (failed !== c.wantErr) wrong.push(`${c.kind} ${c.name} ${c.sizes}`);
  }
  for (const k of hasher) {
    const got = k.kind === "leaf" ? await m.leafHash(h(k.input_hex))
      : k.kind === "node" ? await m.nodeHash(h(k.left_hex), h(k.right_hex)) : null;
    if (got && hex(got) !== k.want) wrong.push(k.desc);
  }
  return wrong;
}"""


def test_the_pages_merkle_math_passes_every_known_answer(browser: Browser, made: Made) -> None:
    cases = _cases()
    assert len(cases) > 196
    hasher = json.loads((VECTORS / "rfc6962_kat.json").read_text())["hasher_kat"]
    page = browser.new_page()
    try:
        page.goto((made.first / "verify.html").as_uri())
        page.wait_for_function("window.bradyMerkle !== undefined")
        wrong = page.evaluate(RUN_CASES, {"cases": cases, "hasher": hasher})
    finally:
        page.close()
    assert wrong == []
