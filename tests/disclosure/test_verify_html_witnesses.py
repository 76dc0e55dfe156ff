"""verify.html holds a production's checkpoint to the witnesses counsel names (issue #19).

One real production of the Rust case whose checkpoint two witnesses cosigned: their
cosignatures are kept by the agency's store (`store.cosignatures.keep`, as the witness loop
keeps them) before the production is made, so the bag carries them exactly as `produce`
writes them. The page, opened from file:// in Debian's Chromium, is given the witnesses'
keys and a quorum as counsel would type them; each outcome is checked against
`brady-verify bundle --witness ... --quorum K` too, so the page and the verifier agree.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import load_rust
from brady.custody.service import Custody
from brady.disclosure.production import produce
from brady.ledger.cli import run as verify_cli
from brady.ledger.cosignature import (
    Cosigner,
    cosign,
    cosignatures_on,
    join_note,
    signed_message,
    split_note,
)
from brady.ledger.ed25519 import Signer
from brady.ledger.entry import now
from brady.ledger_home import init_home
from brady.store.cosignatures import keep

from .test_verify_html import NO_WEBCRYPTO_ED25519, TODAY, remake_manifests

NAMES = ("clerk.example-county.gov/w1", "defense.example.org/w1")
TIMES = (1720778400, 1720782000)  # 12 July 2024, 10:00 and 11:00 UTC


@dataclass(frozen=True)
class Made:
    key: str  # the agency's log key, as filed with the court
    bag: Path  # BALDWIN-P1, its checkpoint cosigned by both witnesses
    witnesses: tuple[Cosigner, ...]

    @property
    def vkeys(self) -> list[str]:
        return [w.vkey() for w in self.witnesses]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    led = init_home(tmp_path_factory.mktemp("home") / "home")
    custody = Custody(led)
    bootstrap_admin(custody)
    load_rust(custody, lambda e: e["do"] not in {"disclosure.produce", "disclosure.receipt"})
    cp = led.store.checkpoint()
    text, _ = split_note(cp.note)
    witnesses = []
    for name, time in zip(NAMES, TIMES, strict=True):
        signer = Signer.generate()
        witness = Cosigner(name, signer.public_key)
        assert keep(led.engine, cp.size, witness, cosign(text, name, signer, time), now())
        witnesses.append(witness)
    out = tmp_path_factory.mktemp("productions")
    produce(
        led,
        "morrissey",
        "state-v-baldwin",
        "BALDWIN-P1",
        "Alex Spiro",
        out,
        ["item:RUST-CASING"],
        today=TODAY,
    )
    made = Made(led.config.log_vkey, out / "BALDWIN-P1", tuple(witnesses))
    carried = (made.bag / "data" / "ledger" / "checkpoint").read_text(encoding="utf-8")
    assert set(cosignatures_on(carried, witnesses)) == set(made.vkeys), "not cosigned"
    yield made
    led.close()


@dataclass(frozen=True)
class Seen:
    verdict: str
    steps: list[str]
    engine: str


def check(
    browser: Browser,
    bag: Path,
    key: str,
    witnesses: list[str] | None = None,
    quorum: str = "",
    script: str = "",
) -> Seen:
    """Open the page from file://, pick the folder, paste the log's and the witnesses'
    keys, type the quorum, press Check."""
    page: Page = browser.new_page()
    try:
        if script:
            page.add_init_script(script)
        page.goto((bag / "verify.html").as_uri())
        page.set_input_files("#folder", str(bag))
        page.fill("#key", key)
        page.fill("#witnesses", "\n".join(witnesses or []))
        page.fill("#quorum", quorum)
        page.click("#check")
        page.wait_for_selector("#verdict.ok, #verdict.bad", timeout=20_000)
        return Seen(
            page.inner_text("#verdict"),
            page.locator("#steps li").all_inner_texts(),
            page.inner_text("#engine"),
        )
    finally:
        page.close()


def _on(time: int) -> str:
    """The date the page gives a cosignature's time."""
    d = datetime.fromtimestamp(time, UTC)
    return f"{d.day} {d:%B %Y} at {d:%H:%M} UTC"


def _policy(vkeys: list[str], quorum: int) -> list[str]:
    return [*(a for v in vkeys for a in ("--witness", v)), "--quorum", str(quorum)]


def test_both_witnesses_named_verify_and_are_listed_with_when(browser: Browser, made: Made) -> None:
    for script in ("", NO_WEBCRYPTO_ED25519):  # WebCrypto, then the built-in fallback
        seen = check(browser, made.bag, made.key, made.vkeys, "2", script=script)
        assert seen.verdict.startswith("Verified: production BALDWIN-P1"), seen.verdict
        assert seen.verdict.endswith(
            f"All 2 witnesses you named cosigned that checkpoint: {', '.join(NAMES)}."
        ), seen.verdict
        for name, time in zip(NAMES, TIMES, strict=True):
            assert f"{name} cosigned this production's ledger checkpoint on {_on(time)}." in (
                seen.steps
            )
        assert not any("not checked" in s for s in seen.steps)
    assert "@noble/ed25519" in seen.engine
    assert _on(TIMES[0]) == "12 July 2024 at 10:00 UTC"
    bundle = ["bundle", str(made.bag), "--key", made.key]
    assert verify_cli([*bundle, *_policy(made.vkeys, 2)]) == 0


def test_a_named_witness_that_did_not_cosign_is_named_missing(browser: Browser, made: Made) -> None:
    third = Cosigner("court.example.gov/w9", Signer.generate().public_key)
    named = [*made.vkeys, third.vkey()]
    seen = check(browser, made.bag, made.key, named, "3")
    assert seen.verdict.startswith(
        "NOT verified: only 2 of the 3 witnesses you named cosigned this production's "
        f"checkpoint; missing: {third.name}."
    ), seen.verdict
    assert "have not vouched for" in seen.verdict
    assert sum("cosigned this production's ledger checkpoint on" in s for s in seen.steps) == 2
    bundle = ["bundle", str(made.bag), "--key", made.key]
    assert verify_cli([*bundle, *_policy(named, 3)]) == 1
    # Two of the three are enough when counsel asks for two: the third is named, not fatal.
    seen = check(browser, made.bag, made.key, named, "2")
    assert seen.verdict.startswith("Verified: "), seen.verdict
    assert "2 of the 3 witnesses you named cosigned that checkpoint (you asked for 2)" in (
        seen.verdict
    )
    assert any(s.startswith(f"{third.name} did not cosign this checkpoint") for s in seen.steps)
    assert verify_cli([*bundle, *_policy(named, 2)]) == 0


def test_a_tampered_cosignature_fails_even_with_the_manifests_remade(
    browser: Browser, made: Made, tmp_path: Path
) -> None:
    bag = Path(shutil.copytree(made.bag, tmp_path / made.bag.name))
    ledger = bag / "data" / "ledger"
    note = (ledger / "checkpoint").read_text(encoding="utf-8")
    (line,) = [x for x in note.splitlines() if x.startswith(f"\u2014 {NAMES[1]} ")]
    at = len(f"\u2014 {NAMES[1]} ") + 50  # inside the signature, past key id and time
    forged = line[:at] + ("A" if line[at] != "A" else "B") + line[at + 1 :]
    holders = [ledger / "checkpoint", *ledger.glob("entries/*.proof"), *ledger.glob("keys/*.proof")]
    assert len(holders) > 2
    for path in holders:  # every file that carries the checkpoint, as a forger would
        text = path.read_text(encoding="utf-8")
        assert line in text
        path.write_text(text.replace(line, forged), encoding="utf-8")
    remake_manifests(bag)
    seen = check(browser, bag, made.key, made.vkeys, "1")
    assert seen.verdict.startswith(
        f"NOT verified: the cosignature by {NAMES[1]} on data/ledger/checkpoint does not verify"
    ), seen.verdict
    bundle = ["bundle", str(bag), "--key", made.key]
    assert verify_cli([*bundle, *_policy(made.vkeys, 1)]) == 1


def test_without_witness_keys_cosignatures_are_counted_not_checked(
    browser: Browser, made: Made
) -> None:
    seen = check(browser, made.bag, made.key)
    assert seen.verdict.startswith("Verified: production BALDWIN-P1"), seen.verdict
    assert "witness" not in seen.verdict
    assert any(
        s.startswith("2 cosignatures by witnesses you did not name were not checked")
        for s in seen.steps
    ), seen.steps
    # Naming one witness checks its line and leaves the other's unchecked.
    seen = check(browser, made.bag, made.key, made.vkeys[:1])
    assert seen.verdict.endswith(f"The witness you named cosigned that checkpoint: {NAMES[0]}."), (
        seen.verdict
    )
    assert "1 cosignature by a witness you did not name was not checked." in seen.steps


KNOWN_ANSWER = """async ({vkey, body, time, note, altered, logKey}) => {
  const w = window.bradyWitness;
  const hex = (a) => Array.from(a, (x) => x.toString(16).padStart(2, "0")).join("");
  const refused = async (f) => { try { await f(); return ""; } catch (e) { return e.message; } };
  const ed = await w.ed25519();
  const { keys, quorum } = await w.parseWitnesses(` ${vkey}\\n`, "");
  const got = await w.cosignaturesOn("kat", note, null, keys, ed);
  return {
    id: hex(keys[0].id),
    quorum,
    message: hex(w.cosignatureMessage(body, BigInt(time))),
    found: [...got.found].map(([k, t]) => [k.name, String(t)]),
    others: got.others,
    altered: await refused(() => w.cosignaturesOn("kat", altered, null, keys, ed)),
    logKey: await refused(() => w.parseWitnesses(logKey, "")),
    twice: await refused(() => w.parseWitnesses(`${vkey}\\n${vkey}`, "")),
    tooMany: await refused(() => w.parseWitnesses(vkey, "2")),
    noKeys: await refused(() => w.parseWitnesses("", "1")),
  };
}"""


def test_the_pages_cosignature_check_matches_the_python_module(
    browser: Browser, made: Made
) -> None:
    """Signed in Python, checked in the page: the key id, the signed message (a time past
    2^62, so 64-bit big-endian is read right) and the verdict on an altered body."""
    signer = Signer(bytes(range(32)))
    witness = Cosigner("kat.example/w", signer.public_key)
    body = "example.org/log\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    time = (1 << 62) + 12345
    other = Signer(bytes(32))
    lines = [cosign(body, witness.name, signer, time), cosign(body, "x.example/w", other, 7)]
    note = join_note(body, [c.as_note_signature() for c in lines])
    page = browser.new_page()
    try:
        page.goto((made.bag / "verify.html").as_uri())
        page.wait_for_function("window.bradyWitness !== undefined")
        got = page.evaluate(
            KNOWN_ANSWER,
            {
                "vkey": witness.vkey(),
                "body": body,
                "time": str(time),
                "note": note,
                "altered": note.replace("\n42\n", "\n43\n"),
                "logKey": made.key,
            },
        )
    finally:
        page.close()
    assert got["id"] == witness.key_id.hex()
    assert got["quorum"] == 1
    assert got["message"] == signed_message(body, time).hex()
    assert got["found"] == [[witness.name, str(time)]]
    assert got["others"] == 1
    assert "kat.example/w on kat does not verify" in got["altered"]
    assert "is a ledger's own key" in got["logKey"]
    assert "pasted twice" in got["twice"]
    assert "you asked for 2 witnesses to have cosigned" in got["tooMany"]
    assert "pasted no witness keys" in got["noKeys"]
