"""The agency's side of witnessing, against two real witness servers on loopback: a real
ledger lists them in brady.toml; the server's witness loop gets each new checkpoint
cosigned by both, `brady ledger checkpoint` and the API serve it with both cosignatures;
a witness that is down stops nothing, status names what it has not cosigned, and it
catches up on the next offer; productions carry the cosigned checkpoint, which
brady-verify's witness policy and verify.html accept; a forged cosignature row is caught.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from sqlalchemy import insert
from typer.testing import CliRunner

from brady import ledger_witnesses
from brady.accounts.service import Accounts
from brady.cli.admin import bootstrap_admin
from brady.cli.app import app
from brady.custody.service import Custody
from brady.disclosure.desk import Desk
from brady.disclosure.production import produce
from brady.ledger.checkpoint import open_checkpoint
from brady.ledger.cli import run as verify_cli
from brady.ledger.cosignature import Cosigner, cosignatures_on
from brady.ledger.entry import now
from brady.ledger.note import Verifier
from brady.ledger.witness_policy import WitnessPolicy
from brady.ledger_home import OpenLedger, init_home
from brady.server import create_app
from brady.store.cosignatures import ledger_cosignature, on_checkpoint
from brady.witness.home import close_witness, follow_log, init_witness, open_witness
from brady.witness.http import create_app as witness_app
from brady.witness.service import Witness

from ..conftest import free_port
from ..disclosure.test_verify_html import check
from ..store.helpers import fill

runner = CliRunner()
NAMES = ("clerk.example-county.gov/w1", "defense.example.org/w1")


@dataclass
class Server:
    """A witness server on a fixed loopback port, so it comes back where brady.toml says."""

    witness: Witness
    port: int
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(
            witness_app(self.witness), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            assert self.thread.is_alive(), "the witness server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        assert self.server is not None and self.thread is not None
        self.server.should_exit = True
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()

    @property
    def vkey(self) -> str:
        return self.witness.cosigner.vkey()


@dataclass
class World:
    led: OpenLedger
    one: Server
    two: Server
    custody: Custody
    out: Path

    @property
    def home(self) -> list[str]:
        return ["--home", str(self.led.config.path)]

    @property
    def cosigners(self) -> list[Cosigner]:
        return [self.one.witness.cosigner, self.two.witness.cosigner]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("agency")
    led = init_home(tmp / "home")
    servers = []
    toml = []
    for name in NAMES:
        folder = tmp / name.split(".")[0]
        init_witness(folder, name)
        witness = open_witness(folder)
        follow_log(witness, led.config.origin, led.config.log_vkey)
        server = Server(witness, free_port())
        server.start()
        servers.append(server)
        toml.append(
            f'\n[[witnesses]]\nname = "{name}"\nvkey = "{server.vkey}"\nurl = "{server.url}"\n'
        )
    with (led.config.path / "brady.toml").open("a") as fh:
        fh.write("".join(toml))
    custody = Custody(led)
    bootstrap_admin(custody)
    with custody.session() as s:
        s.add_user("admin", "prosA", "Pat Prosecutor", ["prosecutor"], None)
        s.add_user("admin", "clerkA", "Chris Clerk", ["property_clerk"], None)
        s.add_location("admin", "PR", "Property room", "room")
        s.open_case("prosA", "CA1", "State v. Delacroix")
        s.add_person("prosA", "P1", "Dana Delacroix")
        s.add_party("prosA", "CA1", "P1", "defendant")
        s.charge("prosA", "CA1", "P1", ["Manslaughter"], "2024-01-31")
        desk = Desk(s)
        desk.adopt_rules(
            "admin", "us-nm-district", {"initial.days": 10, "continuing.days": 10}, "NMRA", "NM"
        )
        desk.case_rules("prosA", "CA1", "us-nm-district")
        desk.request("prosA", "CA1", "Defense Counsel")
    world = World(led, servers[0], servers[1], custody, tmp / "productions")
    yield world
    for server in servers:
        if server.thread is not None and server.thread.is_alive():
            server.stop()
        close_witness(server.witness)
    led.close()


def _intake(world: World, item: str) -> None:
    with world.custody.session() as s:
        s.intake(
            "clerkA",
            item_id=item,
            category="document",
            description=f"Report {item}",
            location_id="PR",
            case_ids=["CA1"],
        )


def _cli(world: World, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*world.home, "ledger", *args])
    return result.exit_code, result.stdout + result.stderr


def _witnessed_by(world: World, size: int) -> set[str]:
    with world.led.engine.connect() as conn:
        return {k.witness for k in on_checkpoint(conn, size)}


def test_the_servers_loop_gets_every_new_checkpoint_cosigned_by_both(world: World) -> None:
    led = world.led
    code, listed = _cli(world, "witnesses", "list")
    assert code == 0 and all(name in listed for name in NAMES), listed
    token = Accounts(led.engine, led.master_key).create_token("admin", "t", "read", "admin")[1]
    served = create_app(led, anchor_every=None, witness_every=0.05)
    with TestClient(served, base_url="https://testserver") as client:
        fill(led, batches=2, per_batch=3)  # commands recorded while the server runs
        size = led.store.checkpoint().size
        for _ in range(600):  # the loop offers within a round or two of 0.05 s
            if _witnessed_by(world, size) == set(NAMES):
                break
            time.sleep(0.05)
        api = client.get(
            f"/api/ledger/checkpoint?size={size}", headers={"Authorization": f"Bearer {token}"}
        )
    assert _witnessed_by(world, size) == set(NAMES)
    assert api.status_code == 200
    code, printed = _cli(world, "checkpoint", "--size", str(size))
    assert code == 0
    for note in (printed, api.text):
        assert open_checkpoint(note, Verifier.from_vkey(led.config.log_vkey)).size == size
        assert set(cosignatures_on(note, world.cosigners)) == {world.one.vkey, world.two.vkey}
    # The server anchored its access log on the way out: a checkpoint the loop did not see.
    assert led.store.checkpoint().size > size
    code, said = _cli(world, "witnesses", "status")
    assert code == 1 and said.count("MISSING on") == 2, said
    assert said.count(f"last cosigned the checkpoint of {size} entries") == 2
    code, said = _cli(world, "witnesses", "offer-now")
    assert code == 0 and said.count("cosigned the checkpoint of") == 2, said
    code, said = _cli(world, "witnesses", "status")
    assert code == 0, said
    assert (
        said.count(f"cosigned the newest checkpoint ({led.store.checkpoint().size} entries)") == 2
    )


def test_a_witness_down_stops_nothing_and_catches_up(world: World) -> None:
    led, one, two = world.led, world.one, world.two
    held_by_two = led.store.checkpoint().size
    two.stop()
    fill(led, batches=2, per_batch=2)  # recording goes on
    offers = {o.witness: o for o in ledger_witnesses.offer(led)}
    size = led.store.checkpoint().size
    assert offers[one.witness.name].outcome == "cosigned"
    assert offers[two.witness.name].outcome == "unreachable"
    assert "offers it again later" in offers[two.witness.name].sentence()
    code, said = _cli(world, "witnesses", "offer-now")
    assert code == 1 and "had already cosigned" in said and "could not be reached" in said
    code, said = _cli(world, "witnesses", "status")
    assert code == 1
    missing = [line for line in said.splitlines() if "MISSING" in line]
    assert len(missing) == 1 and missing[0].startswith(two.witness.name), said
    assert f"last cosigned the checkpoint of {held_by_two} entries" in missing[0]
    assert f"to {size})" in missing[0]
    code, printed = _cli(world, "checkpoint")
    assert set(cosignatures_on(printed, world.cosigners)) == {one.vkey}

    # `brady verify --witness A --witness B` holds the ledger to the newest checkpoint both
    # cosigned; with one witness given, to the newest it cosigned.
    both = WitnessPolicy.of([one.vkey, two.vkey])
    assert ledger_witnesses.meets(led, both)[0] == held_by_two
    assert ledger_witnesses.meets(led, WitnessPolicy.of([one.vkey]))[0] == size

    two.start()
    offers = {o.witness: o for o in ledger_witnesses.offer(led)}
    assert offers[one.witness.name].outcome == "held already"
    assert offers[two.witness.name].outcome == "cosigned"  # with a proof from held_by_two
    assert two.witness.store.log(led.config.origin).size == size  # type: ignore[union-attr]
    code, said = _cli(world, "witnesses", "status")
    assert code == 0 and "MISSING" not in said, said
    assert ledger_witnesses.meets(led, both)[0] == size
    audit = runner.invoke(
        app, [*world.home, "verify", "--witness", one.vkey, "--witness", two.vkey]
    )
    assert audit.exit_code == 0, audit.output
    assert f"the witnesses you named cosigned covers {size} entries" in audit.output
    copy = world.out / "export-witnessed"
    exported = runner.invoke(app, [*world.home, "ledger", "export", str(copy)])
    assert exported.exit_code == 0, exported.output
    policy = ["--witness", one.vkey, "--witness", two.vkey]
    assert verify_cli(["export", str(copy), "--key", led.config.log_vkey, *policy]) == 0


def _verify_bundle(*args: str) -> int:
    return verify_cli(["bundle", *args])


def test_productions_carry_the_cosigned_checkpoint(
    world: World, browser: Browser, capsys: pytest.CaptureFixture[str]
) -> None:
    led, one, two = world.led, world.one, world.two
    policy = ["--witness", one.vkey, "--witness", two.vkey]
    _intake(world, "IA1")
    produce(led, "prosA", "CA1", "CA1-P1", "Defense Counsel", world.out)
    first = world.out / "CA1-P1"
    capsys.readouterr()
    assert _verify_bundle(str(first), "--key", led.config.log_vkey, *policy, "--quorum", "2") == 0
    assert "Cosigned by 2 of the 2 witnesses given" in capsys.readouterr().out
    seen = check(browser, first, led.config.log_vkey)
    assert seen.verdict.startswith("Verified"), seen.verdict

    two.stop()  # the next production is made while the defense's witness is down
    try:
        _intake(world, "IA2")
        produce(led, "prosA", "CA1", "CA1-P2", "Defense Counsel", world.out)
    finally:
        two.start()
    second = world.out / "CA1-P2"
    key = ["--key", led.config.log_vkey]
    capsys.readouterr()
    assert _verify_bundle(str(second), *key, *policy, "--quorum", "2") == 1
    refused = capsys.readouterr().err
    assert "NOT VERIFIED" in refused and f"missing: {two.witness.name}" in refused
    assert one.witness.name not in refused.split("missing:")[1]
    # One of the two suffices under a quorum of 1, and the earlier production (cosigned
    # differently) is still recognised as the same history.
    earlier = ["--earlier", str(first)]
    assert _verify_bundle(str(second), *key, *policy, "--quorum", "1", *earlier) == 0
    assert "extends the earlier checkpoint" in capsys.readouterr().out
    assert _verify_bundle(str(second), *key, "--quorum", "1") == 1  # a quorum needs keys
    seen = check(browser, second, led.config.log_vkey)
    assert seen.verdict.startswith("Verified"), seen.verdict


def test_a_forged_cosignature_row_is_caught(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    led, two = world.led, world.two
    ledger_witnesses.offer(led)
    assert ledger_witnesses.check_kept(led) == []
    cosigned = led.store.checkpoint().size
    fill(led, batches=1, per_batch=1)
    with led.engine.begin() as conn:
        (real,) = [k for k in on_checkpoint(conn, cosigned) if k.witness == two.witness.name]
        # The intruder copies the witness's line onto a checkpoint it never saw.
        conn.execute(
            insert(ledger_cosignature).values(
                size=led.store.checkpoint().size,
                witness=real.witness,
                vkey=real.vkey,
                line=real.line,
                received_at=now(),
            )
        )
    (problem,) = ledger_witnesses.check_kept(led)
    assert two.witness.name in problem and "does not verify" in problem
    audit = runner.invoke(app, [*world.home, "verify"])  # the full audit finds it too
    assert audit.exit_code == 1 and "does not verify" in audit.output, audit.output
    code, said = _cli(world, "witnesses", "status")
    assert code == 1 and "NOT VERIFIED" in said and "does not verify" in said
    # A verifier given the served checkpoint refuses it too.
    _, note = _cli(world, "checkpoint")
    path = tmp_path / "checkpoint"
    path.write_text(note)
    capsys.readouterr()
    assert verify_cli(["checkpoint", str(path), "--key", led.config.log_vkey]) == 0
    assert verify_cli(["checkpoint", str(path), "--key", led.config.log_vkey,
                       "--witness", two.vkey]) == 1  # fmt: skip
    assert "does not verify" in capsys.readouterr().err
