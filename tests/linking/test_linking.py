"""Linking on the record: the Teske rounds are suggested to both prosecutions, with reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from brady.cli.admin import bootstrap_admin
from brady.custody.service import Custody
from brady.domain.errors import RefusedError
from brady.importing.importer import load_file, run_import
from brady.ledger_home import OpenLedger
from brady.store.audit import audit

from ..custody.test_service import check, intake, refused

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "rust" / "scenario.yaml"


def suggestions(custody: Custody, item_id: str) -> dict[str, dict[str, object]]:
    with custody.led.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT suggestion_id, case_id, score, status, reasons FROM link_suggestion "
                "WHERE item_id = :i ORDER BY suggestion_id"  # the latest for a case wins
            ),
            {"i": item_id},
        )
        return {
            r.case_id: {
                "id": r.suggestion_id,
                "score": float(r.score),
                "status": r.status,
                "why": " | ".join(json.loads(r.reasons)),
            }
            for r in rows
        }


def test_the_teske_rounds_are_suggested_to_both_prosecutions(ledger: OpenLedger) -> None:
    custody = Custody(ledger)
    bootstrap_admin(custody)
    run_import(custody, load_file(SCENARIO), "admin")
    found = suggestions(custody, "SF24-0306-01")
    assert {"state-v-baldwin", "state-v-gutierrez-reed"} <= set(found)
    gr, baldwin = found["state-v-gutierrez-reed"], found["state-v-baldwin"]
    assert "Thell Reed" in str(gr["why"]) and "Seth Kenney" in str(gr["why"])
    assert "Seth Kenney" in str(baldwin["why"]) and ".45 colt" in str(baldwin["why"])
    assert gr["status"] == baldwin["status"] == "open"  # outstanding until a person decides
    refused(custody, "may not decide", "accept_link", "hancock", str(gr["id"]), "Looks related")
    with custody.session() as s:
        s.accept_link("morrissey", str(gr["id"]), "Reed's rounds bear on the supply of ammunition")
    refused(custody, "already accepted", "reject_link", "morrissey", str(gr["id"]), "Changed")
    with custody.led.engine.connect() as conn:
        cases = {
            r[0]
            for r in conn.execute(
                text("SELECT case_id FROM item_case WHERE item_id = 'SF24-0306-01'")
            )
        }
    assert "state-v-gutierrez-reed" in cases  # now part of that case's discovery
    report = audit(ledger.store, ledger.config.database_url, ledger.config.log_vkey, workers=1)
    assert report.ok, report.first_problem()


def test_a_new_party_finds_items_already_in_custody(custody: Custody) -> None:
    with custody.session() as s:
        s.add_person("pros", "p-kenney", "Seth Kenney")
        s.open_case("pros", "c-2", "State v. Someone Else")
    item = intake(
        custody,
        narrative="Rounds Seth Kenney said came from a friend's reloads",
        case_ids=["case-1"],
    )
    assert "c-2" not in suggestions(custody, item)
    with custody.session() as s:
        s.add_party("pros", "c-2", "p-kenney", "witness")
    assert "Seth Kenney" in str(suggestions(custody, item)["c-2"]["why"])
    check(custody)


def test_nothing_links_without_a_shared_mention(custody: Custody) -> None:
    with custody.session() as s:
        s.open_case("pros", "c-3", "An unrelated burglary")
    item = intake(custody, description="Blue bicycle", narrative="Found by the river")
    assert suggestions(custody, item) == {}
    with pytest.raises(RefusedError, match="no link suggestion"), custody.session() as s:
        s.reject_link("pros", "LNK-999999", "No")


def test_a_misspelled_name_is_found_by_the_text_search(custody: Custody) -> None:
    with custody.session() as s:
        s.add_person("pros", "p-kenney", "Seth Kenney")
        s.open_case("pros", "c-4", "State v. Supplier")
        s.add_party("pros", "c-4", "p-kenney", "witness")
    item = intake(custody, narrative="Rounds that Seth Kenny handed to a friend")
    why = str(suggestions(custody, item)["c-4"]["why"])
    assert "Seth Kenny, spelled like Seth Kenney, a witness" in why
    check(custody)


def test_the_name_search_survives_a_rebuild(custody: Custody) -> None:
    from brady.store.projection_check import rebuild

    with custody.session() as s:
        s.add_person("pros", "p-kenney", "Seth Kenney")
        s.open_case("pros", "c-5", "State v. Supplier")
        s.add_party("pros", "c-5", "p-kenney", "witness")
    rebuild(custody.led.store)
    item = intake(custody, narrative="Seth Kenny brought them in")
    assert "c-5" in suggestions(custody, item)
    check(custody)


def test_lab_results_and_corrections_are_linked_too(custody: Custody) -> None:
    with custody.session() as s:
        s.add_person("pros", "p-reed", "Thell Reed")
        s.open_case("pros", "c-6", "State v. Armorer")
        s.add_party("pros", "c-6", "p-reed", "witness")
    item = intake(custody, description="Cartridge")
    with custody.session() as s:
        s.lab_request("clerk", "L-7", "State lab", [item], "Headstamps")
        s.lab_result("analyst", "L-7", "Headstamps match rounds Thell Reed reloaded")
    assert "Thell Reed" in str(suggestions(custody, item)["c-6"]["why"])
    other = intake(custody, description="Cartridge")
    with custody.led.engine.connect() as conn:
        seq = conn.execute(
            text("SELECT intake_seq FROM item WHERE item_id = :i"), {"i": other}
        ).scalar_one()
    with custody.session() as s:
        s.correct("clerk", seq, "narrative", "Turned in by Thell Reed's neighbour", "Omitted")
    assert "c-6" in suggestions(custody, other)
    check(custody)


def test_a_rejected_suggestion_returns_only_with_new_evidence(custody: Custody) -> None:
    with custody.session() as s:
        s.add_person("pros", "p-reed", "Thell Reed")
        s.open_case("pros", "c-6", "State v. Armorer")
        s.add_party("pros", "c-6", "p-reed", "witness")
    intake(custody, description="Colt revolver", serial="KT4471", case_ids=["c-6"])
    item = intake(custody, description="Cartridge", narrative="Left by Thell Reed")
    first = suggestions(custody, item)["c-6"]
    with custody.session() as s:
        s.reject_link("pros", str(first["id"]), "Another Thell Reed: the DOB differs")
        assert s.link_item(item) == []  # asked again with nothing new: not raised
        s.lab_request("clerk", "L-8", "State lab", [item], "Toolmarks")
        s.lab_result("analyst", "L-8", "Headstamps unremarkable")  # nothing new either
    assert suggestions(custody, item)["c-6"]["status"] == "rejected"
    with custody.session() as s:
        s.lab_request("clerk", "L-9", "State lab", [item], "Toolmarks")
        s.lab_result("analyst", "L-9", "Fired in the revolver with serial KT4471")
    again = suggestions(custody, item)["c-6"]
    assert again["status"] == "open" and again["id"] != first["id"]
    assert str(again["why"]).startswith("raised again: a reviewer rejected it before")
    assert "serial number KT4471" in str(again["why"])
    check(custody)


def test_case_numbers_in_an_agencys_own_format(custody: Custody) -> None:
    with custody.session() as s:
        s.add_agency("admin", "PD", "City Police", {"agency": r"^\d{2}-\d{5}$"})
        s.open_case(
            "pros",
            "c-7",
            "Burglary",
            agency_id="PD",
            numbers=[{"kind": "agency", "number": "24-00017"}],
        )
    item = intake(custody, narrative="Same tool marks as in report 24-00017")
    assert "it names this case's number 24-00017" in str(suggestions(custody, item)["c-7"]["why"])
    check(custody)


def test_a_very_common_mention_links_nothing_by_itself(
    custody: Custody, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brady.linking import candidates as link_queries

    monkeypatch.setattr(link_queries, "COMMON", 2)
    with custody.session() as s:
        s.open_case("pros", "c-8", "Another case")
    for _ in range(3):
        intake(custody, serial="SN-55501", case_ids=["c-8"])
    item = intake(custody, serial="SN-55501")  # shared with 3 items: more than COMMON
    assert "c-8" not in suggestions(custody, item)


def test_a_surname_shared_by_very_many_people_links_nothing_by_itself(
    custody: Custody, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brady.linking import candidates as link_queries

    monkeypatch.setattr(link_queries, "COMMON", 2)
    with custody.session() as s:
        s.open_case("pros", "c-12", "State v. Garcia")
        for n, first in enumerate(("Ana", "Luis", "Rosa")):
            s.add_person("pros", f"p-g{n}", f"{first} Garcia")
        s.add_party("pros", "c-12", "p-g0", "defendant")
    intake(custody, case_ids=["c-12"])  # .45 Colt rounds, like every intake here
    # Three people are called Garcia (more than COMMON): the surname alone says nothing...
    assert "c-12" not in suggestions(custody, intake(custody, narrative="Left by a Garcia"))
    # ...the full name still does.
    found = suggestions(custody, intake(custody, narrative="Left by Ana Garcia"))
    assert "it names Ana Garcia" in str(found["c-12"]["why"])


def test_the_threshold_is_configuration(custody: Custody) -> None:
    from brady.store.home import read_config

    home = custody.led.config.path
    with (home / "brady.toml").open("a") as fh:
        fh.write("\n[linking]\nthreshold = 0.9\n")
    strict = Custody(
        custody.led.__class__(
            read_config(home), custody.led.engine, custody.led.store, custody.led.master
        )
    )
    with strict.session() as s:
        s.add_person("pros", "p-kenney", "Seth Kenney")
        s.open_case("pros", "c-9", "State v. Supplier")
        s.add_party("pros", "c-9", "p-kenney", "witness")
    item = intake(strict, narrative="Rounds said to be Kenney's")
    assert suggestions(strict, item) == {}  # a surname alone is below 0.9 ...
    again = intake(custody, narrative="Rounds said to be Kenney's")
    assert 0.5 <= float(suggestions(custody, again)["c-9"]["score"]) < 0.9  # ... not 0.5
    (home / "brady.toml").write_text((home / "brady.toml").read_text() + "weights = 2\n")
    with pytest.raises(Exception, match="linking"):
        read_config(home)


def test_a_case_number_written_short_is_suggested(custody: Custody) -> None:
    with custody.session() as s:
        s.open_case(
            "pros", "c-9", "Embezzlement", numbers=[{"kind": "agency", "number": "2024-SF-000415"}]
        )
    item = intake(custody, description="Bank records", narrative="Cover letter: SFSO #24-415")
    why = str(suggestions(custody, item)["c-9"]["why"])
    assert "SFSO #24-415, which may be this case's number 2024-SF-000415 written short" in why
    check(custody)


def test_recorded_patterns_are_used_for_later_intakes(custody: Custody) -> None:
    with custody.session() as s:
        s.open_case("pros", "c-10", "Shooting")
    first = intake(custody, description="Two 5.7x28 casings", case_ids=["c-10"])
    refused(custody, "not an administrator", "set_linking_patterns", "pros", "More calibers")
    refused(
        custody,
        "not a valid regular expression",
        "set_linking_patterns",
        "admin",
        "Broken",
        None,
        {"57x28": "5.7(x28"},
    )
    refused(custody, "matches empty text", "set_linking_patterns", "admin", "Empty", [r"\d*"])
    with custody.session() as s:
        s.set_linking_patterns("admin", "FN rounds", calibers={"57x28": r"5\.7\s*x\s*28"})

    def calibers(owner: str) -> set[str]:
        with custody.led.engine.connect() as conn:
            return {
                r[0]
                for r in conn.execute(
                    text("SELECT key FROM mention_index WHERE owner_id = :i AND kind = 'caliber'"),
                    {"i": owner},
                )
            }

    # What was recorded before the patterns keeps the mentions it was read with...
    assert calibers(first) == set()
    # ...and a case-level narrative or later intake is read with them.
    with custody.session() as s:
        s.open_case("pros", "c-11", "Drive-by", narrative="Casings, 5.7 x 28, on Airport Road")
    later = intake(custody, description="Pistol rounds, 5.7x28, found on Airport Road")
    assert calibers("c-11") == calibers(later) == {"57x28"}
    check(custody)  # a rebuild from the ledger derives the very same mentions


def test_weights_are_learned_from_the_reviews_and_recorded(custody: Custody) -> None:
    from brady.linking import candidates
    from brady.linking.match import DEFAULT_M, RELATED_PER_INTAKE

    with custody.session() as s:
        s.open_case("pros", "c-8", "Stolen rifles")
    for n in range(6):
        intake(custody, description="Rifle", serial=f"KT44{n}7", case_ids=["c-8"])
    for n in range(6):
        item = intake(custody, description=f"Pawn slip for rifle serial KT44{n}7")
        with custody.session() as s:
            s.accept_link("pros", str(suggestions(custody, item)["c-8"]["id"]), "Same rifle")
    refused(custody, "administrator", "train_linking", "pros", "Learn")
    with custody.session() as s:
        entry = s.train_linking("admin", "First reviews in")
    m, prior = entry.payload["m"], entry.payload["prior"]
    assert entry.payload["accepted"] == 6 and m["serial"] > DEFAULT_M["serial"]
    assert m["name.4"] < DEFAULT_M["name.4"]  # no accepted link rested on a name
    assert prior > RELATED_PER_INTAKE  # six links among a dozen intakes
    with custody.led.engine.connect() as conn:
        assert candidates.trained_model(conn) == candidates.Trained(m, prior, 0.0)
    # A target queue load raises the threshold to what would have kept the record's own
    # suggestions within it: 4 per 100 of 13 intakes keeps none of the seven.
    with custody.session() as s:
        s.add_person("pros", "p-kenney", "Seth Kenney")
        s.add_party("pros", "c-8", "p-kenney", "witness")
    before = intake(custody, narrative="Rounds said to be Kenney's")
    weak = float(suggestions(custody, before)["c-8"]["score"])
    refused(custody, "expected a number above 0", "train_linking", "admin", "Queue", -1)
    with custody.session() as s:
        entry = s.train_linking("admin", "Queue too long", queue_per_100=4)
    assert float(entry.payload["threshold"]) > weak
    after = intake(custody, narrative="Rounds said to be Kenney's")
    assert suggestions(custody, after) == {}  # suggested before the target was set
    check(custody)  # the rebuild derives the same model from the ledger


def test_a_new_party_finds_the_items_that_misspell_them(custody: Custody) -> None:
    scanned = intake(custody, narrative="Left by Daniel Hemandez at the front desk")
    heard = intake(custody, narrative="Caller gave the name Danyel Hernandes")
    other = intake(custody, narrative="Left by Daniel Fernandez")
    with custody.session() as s:
        s.add_person("pros", "p-dh", "Daniel Hernandez")
        s.open_case("pros", "c-12", "State v. Hernandez")
        s.add_party("pros", "c-12", "p-dh", "defendant")
    assert "c-12" in suggestions(custody, scanned)
    assert "c-12" in suggestions(custody, heard)
    assert "c-12" not in suggestions(custody, other)
    check(custody)
