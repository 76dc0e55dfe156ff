"""The generated agency record of bench/agency_record.py, which bench/linking_eval.py
--agency measures link suggestions on: deterministic for a seed, labelled with open cases
other than the intake's own, every kind of noise and hard negative present, each noisy
mention really different from what the record holds, and loadable through the importer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from brady.cli.admin import bootstrap_admin
from brady.custody.service import Custody
from brady.importing.importer import run_import
from brady.ledger_home import OpenLedger

from .bench_module import BENCH, bench_module

ar = bench_module("agency_record.py")


@pytest.fixture(scope="module")
def record() -> Any:
    return ar.generate(seed=7, cases=300, intakes=600)


def _events(record: Any, do: str) -> list[dict[str, Any]]:
    return [e for e in record.scenario["events"] if e["do"] == do]


def _open_cases(record: Any) -> set[str]:
    opened = {e["case_id"] for e in _events(record, "case.open")}
    return opened - {e["case_id"] for e in _events(record, "case.close")}


def _persons(record: Any) -> dict[str, dict[str, Any]]:
    return {p["person_id"]: p for p in record.scenario["persons"]}


def _party_cases(record: Any) -> dict[str, set[str]]:
    """person -> the cases they are a (non-officer) party of."""
    out: dict[str, set[str]] = {}
    for e in _events(record, "case.party"):
        if e["role"] != "officer":
            out.setdefault(e["person_id"], set()).add(e["case_id"])
    return out


def _first(words: str) -> str:
    return words.split(maxsplit=1)[0]


def _last(words: str) -> str:
    return words.rsplit(maxsplit=1)[-1]


def _intake(record: Any, item: str) -> dict[str, Any]:
    return next(e for e in record.intakes if e["item_id"] == item)


def _written_text(event: dict[str, Any]) -> str:
    fields = ("description", "narrative", "serial", "found_at", "received_from")
    return " ".join(str(event.get(f, "")) for f in fields)


def _dates(narrative: str) -> list[date]:
    """The dates of birth written as DOB mm/dd/yyyy, DOB: yyyy-mm-dd, d.o.b. mm-dd-yyyy."""
    out = [date.fromisoformat(m) for m in re.findall(r"DOB: (\d{4}-\d{2}-\d{2})", narrative)]
    for m, d, y in re.findall(r"(?:DOB|d\.o\.b\.) (\d{2})[/-](\d{2})[/-](\d{4})", narrative):
        out.append(date(int(y), int(m), int(d)))
    return out


def test_the_same_seed_gives_the_same_record_and_another_seed_another() -> None:
    one, two = ar.generate(3, 60, 80), ar.generate(3, 60, 80)
    assert one.scenario == two.scenario
    assert one.intakes == two.intakes
    assert (one.labels, one.noise, one.hard, one.mentions) == (
        two.labels,
        two.noise,
        two.hard,
        two.mentions,
    )
    other = ar.generate(4, 60, 80)
    assert other.intakes != one.intakes
    assert other.scenario["persons"] != one.scenario["persons"]


def test_the_record_does_not_depend_on_the_order_of_sets() -> None:
    """Two processes with different string hashing make the same record."""
    script = (
        "import hashlib, json, sys; sys.path.insert(0, sys.argv[1]); import agency_record as a; "
        "r = a.generate(5, 40, 60); "
        "print(hashlib.sha256(json.dumps([r.scenario, r.intakes, r.labels, r.noise, r.hard], "
        "sort_keys=True).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, str(BENCH)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1, digests


def test_every_intake_is_labelled_with_open_cases_other_than_its_own(record: Any) -> None:
    open_cases = _open_cases(record)
    assert len(record.closed) >= 5 and set(record.closed).isdisjoint(open_cases)
    assert len(record.intakes) == 600
    assert set(record.labels) == {e["item_id"] for e in record.intakes}
    for event in record.intakes:
        item = event["item_id"]
        assert event["do"] == "item.intake"
        assert event["case_ids"] == [record.own[item]]
        assert record.own[item] in open_cases
        labels = record.labels[item]
        assert labels == sorted(set(labels))
        assert record.own[item] not in labels
        assert set(labels) <= open_cases, (item, set(labels) - open_cases)
    # a noise kind for exactly the intakes with a true link; hard negatives have none
    assert set(record.noise) == {i for i, cases in record.labels.items() if cases}
    assert all(record.labels[i] == [] for i in record.hard)
    # intakes are in time order
    times = [e["at"] for e in record.intakes]
    assert times == sorted(times)


def test_every_kind_of_noise_and_hard_negative_occurs_in_equal_numbers(record: Any) -> None:
    noise = Counter(k for k in record.noise.values() if k in ar.NOISE_KINDS)
    hard = Counter(record.hard.values())
    assert set(noise) == set(ar.NOISE_KINDS)
    assert set(hard) == set(ar.HARD_KINDS)
    assert max(noise.values()) - min(noise.values()) <= 1, noise
    assert max(hard.values()) - min(hard.values()) <= 1, hard
    assert sum(noise.values()) == round(600 * ar.MISFILED_SHARE)
    assert set(record.noise.values()) - set(ar.NOISE_KINDS) <= set(ar.REPEAT_KINDS)


def _check_person_mention(kind: str, held: str, written: str) -> None:
    if kind == "exact":
        assert written == held
        return
    assert written != held
    if kind == "translit":
        h, w = held.split(), written.split()
        assert h[0].lower() != w[0].lower() and h[-1].lower() != w[-1].lower()
    elif kind == "name_ocr":
        assert ar.levenshtein(held, written) == 2
        assert sorted(held.split()) != sorted(written.split())
    elif kind == "name_accent":
        assert ar.fold(held) == ar.fold(written)
    elif kind == "name_caps":
        assert written == written.upper()
        assert sorted(written.replace(",", "").split()) == sorted(held.upper().split())
    elif kind == "nickname":
        assert _last(written) == _last(held) and _first(written) != _first(held)
    elif kind == "name_order":
        assert written.startswith(f"{_last(held)}, ")
    elif kind == "close_spelling_exact_elsewhere":
        assert ar.levenshtein(held, written) == 1


def _check_thing_mention(kind: str, held: str, written: str, numbers: set[str]) -> None:
    if kind == "plate_marker":
        assert written == held
        return
    assert written != held
    if kind in ("plate_typo", "serial_typo"):
        assert len(written) == len(held)
        assert sum(a != b for a, b in zip(held, written, strict=True)) == 1
    elif kind == "case_number_variant":
        assert held in numbers and written not in numbers
    elif kind == "address_variant":
        assert _first(written) == _first(held)  # the same house number
        assert ar.fold(written).lower() != ar.fold(held).lower()
    elif kind == "org_variant":
        assert ar.fold(written).lower() != ar.fold(held).lower()
    elif kind == "phone_format":
        assert re.sub(r"\D", "", written)[-10:] == re.sub(r"\D", "", held)


def test_a_noisy_mention_really_differs_from_what_the_record_holds(record: Any) -> None:
    numbers = {n["number"] for e in _events(record, "case.open") for n in e["numbers"]}
    for item, kind in record.noise.items():
        if kind not in ar.NOISE_KINDS:
            continue
        held, written = record.mentions[item]
        assert written in _written_text(_intake(record, item)), (item, kind, written)
        if kind in ar.NAME_KINDS:
            _check_person_mention(kind, held, written)
        else:
            _check_thing_mention(kind, held, written, numbers)


def test_a_noisy_name_never_reads_as_another_persons_name(record: Any) -> None:
    """'Lucero, Luis' while the record holds other Luis Luceros: no reader could tell which
    one is meant, so no such label is made (the close_spelling kind's trap aside)."""
    readers: dict[str, set[str]] = {}
    for pid, rec in _persons(record).items():
        for spelling in (rec["name"], *(rec.get("aliases") or [])):
            readers.setdefault(ar.reading(spelling), set()).add(pid)
    checked = 0
    for item, kind in record.noise.items():
        if kind not in ar.NAME_KINDS or kind == "close_spelling_exact_elsewhere":
            continue
        found = re.search(r"person (P\d+)", record.notes[item])
        assert found, record.notes[item]
        written = record.mentions[item][1]
        assert readers.get(ar.reading(written), set()) <= {found.group(1)}, (item, written)
        checked += 1
    assert checked


def test_a_close_spelling_is_exactly_another_partys_name(record: Any) -> None:
    persons = _persons(record)
    parties = _party_cases(record)
    open_cases = _open_cases(record)
    items = [i for i, k in record.noise.items() if k == "close_spelling_exact_elsewhere"]
    assert items
    for item in items:
        written = record.mentions[item][1]
        twins = [p for p, rec in persons.items() if rec["name"] == written]
        assert twins, written
        assert all(parties.get(p, set()) & open_cases for p in twins)
        # the twin is a party of none of the cases the intake truly bears on
        assert all(not parties.get(p, set()) & set(record.labels[item]) for p in twins)


def test_a_dob_given_for_a_true_link_agrees_and_for_a_namesake_disagrees(record: Any) -> None:
    persons = _persons(record)
    checked = 0
    for item, kind in {**record.noise, **record.hard}.items():
        if kind not in ar.NAME_KINDS and kind != "common_name_other_person":
            continue
        held = record.mentions[item][0]
        dobs = {persons[p].get("dob") for p in persons if persons[p]["name"] == held}
        for given in _dates(_intake(record, item)["narrative"]):
            checked += 1
            if kind == "common_name_other_person":
                assert given.isoformat() not in dobs, item
            else:
                assert given.isoformat() in dobs, item
    assert checked >= 5


def test_hard_negatives_share_only_what_is_no_link(record: Any) -> None:
    persons = _persons(record)
    parties = _party_cases(record)
    open_cases = _open_cases(record)
    names = {rec["name"]: p for p, rec in persons.items()}
    for item, kind in record.hard.items():
        held, written = record.mentions[item]
        if kind == "common_name_other_person":
            assert written == held and parties[names[held]] & open_cases
        elif kind == "closed_case_match":
            pid = next(p for p, rec in persons.items() if rec["name"] == held and p in parties)
            assert parties[pid] and not parties[pid] & open_cases
        elif kind == "same_street_other_town":
            assert _first(held) == _first(written)
            assert held.rsplit(", ", 1)[-1] != written.rsplit(", ", 1)[-1]


def test_people_repeat_names_are_shared_and_officers_are_parties_of_many_cases(
    record: Any,
) -> None:
    parties = _party_cases(record)
    twice = sum(1 for cases in parties.values() if len(cases) > 1)
    assert 0.015 <= twice / len(parties) <= 0.06, twice / len(parties)
    surnames = Counter(_last(_persons(record)[p]["name"]) for p in parties)
    assert surnames.most_common(1)[0][1] >= 0.015 * len(parties)
    roles = _events(record, "case.party")
    officers = Counter(e["person_id"] for e in roles if e["role"] == "officer")
    assert len(officers) >= 40
    assert sorted(officers.values())[len(officers) // 2] >= 5


def test_the_record_loads_through_the_importer(ledger: OpenLedger) -> None:
    small = ar.generate(seed=2, cases=30, intakes=40)
    custody = Custody(ledger)
    bootstrap_admin(custody)
    scenario = small.scenario
    head = {k: v for k, v in scenario.items() if k != "events"}
    run_import(custody, head, "admin")
    events = scenario["events"]
    for start in range(0, len(events), 100):
        run_import(custody, {"brady_import": 1, "events": events[start : start + 100]}, "admin")
    for event in small.intakes:
        run_import(custody, {"brady_import": 1, "events": [event]}, "admin")
    with ledger.engine.connect() as conn:
        cases = dict(conn.execute(text("SELECT case_id, status FROM case_file")).all())
        items = conn.execute(text("SELECT count(*) FROM item")).scalar()
        persons = conn.execute(text("SELECT count(*) FROM person")).scalar()
    assert len(cases) == 30
    assert sorted(c for c, status in cases.items() if status == "closed") == sorted(small.closed)
    assert items == len(_events(small, "item.intake")) + 40
    assert persons == len(scenario["persons"])
