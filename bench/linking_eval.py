"""Linking evaluation: recall and precision of link suggestions against labelled intakes.

    python bench/linking_eval.py [FILE ...] [--postgres URL] [--quiet]
    python bench/linking_eval.py --agency [--cases 10000] [--intakes 2000] [--seed 1]
                                 [--postgres URL] [--quiet] [--dump FILE]

Each file (default: every tests/linking/eval/*.yaml) is a Brady import scenario with one
extra top-level key the importer does not read, `labels: {ITEM_ID: [case_id, ...]}`: the
open cases, other than its own, each labelled intake truly bears on. The file is loaded
into a fresh ledger (SQLite, or a new database on the PostgreSQL server of `--postgres`)
through brady.importing.importer.run_import, as operator `admin`. Everything up to the first
labelled intake is one import; each later event is one import of its own, so that right
after each labelled intake its evidence can be re-scored in the state the linker saw.

Figures, micro-averaged over (item, case) pairs:
  * recorded: the `link.suggest` events Brady recorded (table link_suggestion), at the
    default threshold;
  * re-scored at 0.2, 0.3, 0.5, 0.7: brady.linking.suggest.scored right after each
    intake (the same weighing as the service, before reviewers' decisions filter it);
  * baseline: suggesting every open case (recall 1.0 at the base rate's precision).
Then every miss and every false positive of the recorded suggestions, with the
evidence the matcher had and its reasons, and what other thresholds would change.
Nothing is asserted here; tests/linking/test_eval.py guards the figures.

--agency: instead of files, a generated agency record (bench/agency_record.py: a sheriff's
office and three police departments, --cases cases, people of many origins, noisy
narratives) with --intakes measured intakes and their labelled truth. The record is
loaded in chunks with linking switched off (as bench/linking_latency.py grows its
ledger; then VACUUM (ANALYZE) on PostgreSQL), then each measured intake is recorded on
its own with linking on, and the link_suggestion table is read. Figures over (item,
case) pairs: recall and precision; recall per noise kind (how the true link is written);
hard negatives that got any suggestion, per kind; false positives in all and per 100
intakes, by the kind of intake, and how many were suggested a case that holds an earlier
misfiled intake bearing on the intake's own case (a misfiled item stays where it was
filed until someone moves it); queue load (suggestions per 100 intakes); load time and
intake time. Without --quiet, up to 40 misses (the truth, its noise kind, the narrative)
and 40 false positives (Brady's reasons). --dump FILE writes the generated scenario
(measured intakes last) with labels, noise, hard and notes as YAML, loadable by `brady
import` (extra keys are ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import text

from brady.cli.admin import bootstrap_admin
from brady.custody.service import Custody, Session
from brady.importing.importer import load_file, run_import
from brady.ledger_home import init_home
from brady.linking import match
from brady.linking.suggest import scored

EVAL_DIR = Path(__file__).resolve().parents[1] / "tests" / "linking" / "eval"
THRESHOLDS = (0.2, 0.3, 0.5, 0.7)
RECORDED = "recorded"
REFERENCE = ("agencies", "users", "locations", "persons", "organizations")

Pair = tuple[str, str]  # (item_id, case_id)


@dataclass
class Scored:
    """What the linker said about one (item, case) pair: its score and reasons."""

    score: float
    reasons: tuple[str, ...]


@dataclass
class FileResult:
    name: str
    labels: dict[str, set[str]]
    # source ("recorded" or a threshold) -> item -> suggested cases
    predicted: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    # (item, case) -> score and reasons at threshold 0 (every case with any evidence)
    evidence: dict[Pair, Scored] = field(default_factory=dict)
    recorded: dict[Pair, Scored] = field(default_factory=dict)
    open_cases: dict[str, set[str]] = field(default_factory=dict)  # item -> open non-own
    descriptions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Figures:
    tp: int
    fp: int
    fn: int

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0


def eval_files(paths: list[str] | None = None) -> list[Path]:
    return [Path(p) for p in paths] if paths else sorted(EVAL_DIR.glob("*.yaml"))


def read_labels(data: dict[str, Any], name: str) -> dict[str, set[str]]:
    raw = data.get("labels")
    if not isinstance(raw, dict) or not raw:
        raise SystemExit(f"{name}: needs labels: {{ITEM_ID: [case_id, ...]}}")
    return {str(k): {str(c) for c in (v or [])} for k, v in raw.items()}


def evaluate(custody: Custody, data: dict[str, Any], name: str = "eval") -> FileResult:
    """Load one labelled scenario into an empty ledger and score its labelled intakes."""
    labels = read_labels(data, name)
    result = FileResult(name, labels)
    for source in (RECORDED, *THRESHOLDS):
        result.predicted[str(source)] = {item: set() for item in labels}
    events = list(data.get("events") or [])
    first = next(
        (
            i
            for i, e in enumerate(events)
            if e.get("do") == "item.intake" and e.get("item_id") in labels
        ),
        len(events),
    )
    bootstrap_admin(custody)
    head = {k: data[k] for k in REFERENCE if k in data}
    run_import(custody, {"brady_import": 1, **head, "events": events[:first]}, "admin")
    seen: set[str] = set()
    for event in events[first:]:
        run_import(custody, {"brady_import": 1, "events": [event]}, "admin")
        item = event.get("item_id")
        if event.get("do") == "item.intake" and item in labels:
            seen.add(item)
            result.descriptions[item] = str(event.get("description", ""))
            _rescore(custody, result, item)
    missing = set(labels) - seen
    if missing:
        raise SystemExit(f"{name}: labelled items never taken in: {', '.join(sorted(missing))}")
    _read_recorded(custody, result)
    return result


def _rescore(custody: Custody, result: FileResult, item: str) -> None:
    with custody.led.engine.connect() as conn:
        own = {
            r[0]
            for r in conn.execute(
                text("SELECT case_id FROM item_case WHERE item_id = :i"), {"i": item}
            )
        }
        open_cases = {
            r[0] for r in conn.execute(text("SELECT case_id FROM case_file WHERE status = 'open'"))
        }
        everything = scored(conn, item, threshold=0.0)  # what Brady weighs, at any score
        conn.rollback()
    wrong = result.labels[item] - (open_cases - own)
    if wrong:
        raise SystemExit(
            f"{result.name}: {item} is labelled with {', '.join(sorted(wrong))}, "
            "which are its own cases or not open when it was taken in"
        )
    result.open_cases[item] = open_cases - own
    for sug in everything:
        result.evidence[item, sug.case_id] = Scored(sug.score, sug.reasons)
    for threshold in THRESHOLDS:
        found = {s.case_id for s in everything if s.score >= threshold}
        result.predicted[str(threshold)][item] = found


def recorded_suggestions(custody: Custody, items: Container[str]) -> dict[Pair, Scored]:
    """The suggestions Brady recorded for these items, with their scores and reasons."""
    with custody.led.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT item_id, case_id, score, reasons FROM link_suggestion")
        ).all()
    return {
        (item, case): Scored(float(score), tuple(json.loads(reasons)))
        for item, case, score, reasons in rows
        if item in items
    }


def _read_recorded(custody: Custody, result: FileResult) -> None:
    for (item, case), found in recorded_suggestions(custody, result.labels).items():
        result.predicted[RECORDED][item].add(case)
        result.recorded[item, case] = found


def figures(results: list[FileResult], source: str) -> Figures:
    tp = fp = fn = 0
    for r in results:
        for item, truth in r.labels.items():
            got = r.predicted[source][item]
            tp += len(got & truth)
            fp += len(got - truth)
            fn += len(truth - got)
    return Figures(tp, fp, fn)


def baseline(results: list[FileResult]) -> Figures:
    """Suggest every open case other than the item's own."""
    tp = fp = 0
    for r in results:
        for item, truth in r.labels.items():
            tp += len(truth)
            fp += len(r.open_cases[item] - truth)
    return Figures(tp, fp, 0)


def errors(r: FileResult, source: str) -> tuple[list[Pair], list[Pair]]:
    misses, extras = [], []
    for item, truth in r.labels.items():
        got = r.predicted[source][item]
        misses += [(item, c) for c in sorted(truth - got)]
        extras += [(item, c) for c in sorted(got - truth)]
    return misses, extras


# -- printing -------------------------------------------------------------------------


def _why(s: Scored | None) -> str:
    if s is None:
        return "no shared mention at all"
    return f"{s.score:.3f}: " + " | ".join(s.reasons)


def report(results: list[FileResult], verbose: bool = True) -> None:
    items = sum(len(r.labels) for r in results)
    links = sum(len(t) for r in results for t in r.labels.values())
    names = ", ".join(r.name for r in results)
    print(f"linking eval: {names}: {items} labelled intakes, {links} true (item, case) links")
    print(f"{'':24}{'recall':>8}{'precision':>11}{'tp':>5}{'fp':>5}{'fn':>5}")
    rows = [(f"recorded ({match.DEFAULT_THRESHOLD} at intake)", figures(results, RECORDED))]
    rows += [(f"re-scored at {t}", figures(results, str(t))) for t in THRESHOLDS]
    rows.append(("baseline: every case", baseline(results)))
    for label, f in rows:
        print(f"{label:24}{f.recall:8.3f}{f.precision:11.3f}{f.tp:5}{f.fp:5}{f.fn:5}")
    for r in results:
        if r.predicted[RECORDED] != r.predicted[str(match.DEFAULT_THRESHOLD)]:
            print(f"NOTE {r.name}: the recorded suggestions differ from the re-scored ones")
    if not verbose:
        return
    for r in results:
        misses, extras = errors(r, RECORDED)
        print(f"\n{r.name}: misses (false negatives) of the recorded suggestions: {len(misses)}")
        for item, case in misses:
            print(f"  {item} -> {case}  [{r.descriptions[item]}]")
            print(f"      had {_why(r.evidence.get((item, case)))}")
        print(f"\n{r.name}: false positives of the recorded suggestions: {len(extras)}")
        for item, case in extras:
            print(f"  {item} -> {case}  [{r.descriptions[item]}]")
            print(f"      {_why(r.recorded.get((item, case)))}")
        hits = [
            (i, c)
            for i, truth in r.labels.items()
            for c in sorted(truth & r.predicted[RECORDED][i])
        ]
        print(f"\n{r.name}: true positives of the recorded suggestions: {len(hits)}")
        for item, case in hits:
            print(f"  {item} -> {case}  {_why(r.recorded.get((item, case)))}")
        print(f"\n{r.name}: what the other thresholds change (+ found, - lost, vs recorded)")
        for t in THRESHOLDS:
            got, lost = [], []
            for item, truth in r.labels.items():
                now, before = r.predicted[str(t)][item], r.predicted[RECORDED][item]
                got += [f"{item}->{c}{'' if c in truth else ' (FP)'}" for c in sorted(now - before)]
                lost += [
                    f"{item}->{c}{' (TP)' if c in truth else ''}" for c in sorted(before - now)
                ]
            change = "; ".join([*(f"+{g}" for g in got), *(f"-{x}" for x in lost)]) or "nothing"
            print(f"  {t}: {change}")


# -- ledgers ----------------------------------------------------------------------------


@contextmanager
def fresh_custody(tmp: Path, postgres: str | None) -> Iterator[Custody]:
    """An empty ledger home in tmp; on PostgreSQL, in a new database dropped afterwards."""
    if postgres is None:
        led = init_home(tmp / "home")
        try:
            yield Custody(led)
        finally:
            led.close()
        return
    import psycopg

    name = f"brady_linkeval_{secrets.token_hex(6)}"
    admin_url = postgres.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        led = init_home(tmp / "home", f"{url}/{name}")
        try:
            yield Custody(led)
        finally:
            led.close()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- a generated agency record (--agency) ------------------------------------------------

AGENCY_CHUNK = 5000  # events per import while loading the background record


def agency_record_module() -> Any:
    """bench/agency_record.py, importable however this file was loaded."""
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    import agency_record

    return agency_record


@dataclass
class AgencyResult:
    """What Brady suggested for each measured intake, and how long things took."""

    load_seconds: float = 0.0
    intake_seconds: list[float] = field(default_factory=list)
    suggested: dict[Pair, Scored] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    relations_before: int = 0  # related cases found in the record before the measured intakes
    relations_during: int = 0  # related cases first raised by a measured intake
    queue: int = 0  # suggestions of the measured intakes a reviewer reads one by one
    followed: Counter[str] = field(default_factory=Counter)  # under related cases, by status


def load_background(custody: Custody, scenario: dict[str, Any], chunk: int = AGENCY_CHUNK) -> None:
    """The record before the measured intakes, with linking switched off (only the measured
    intakes run the linker); the same commands and rules otherwise."""
    saved = Session.link_item, Session.link_party
    Session.link_item = lambda self, item_id, occurred_at=None, seen=None: []  # type: ignore[method-assign]
    Session.link_party = lambda self, case_id, person_id, occurred_at=None: []  # type: ignore[method-assign]
    try:
        head = {k: scenario[k] for k in REFERENCE if k in scenario}
        run_import(custody, {"brady_import": 1, **head}, "admin")
        events = scenario.get("events") or []
        for start in range(0, len(events), chunk):
            batch = events[start : start + chunk]
            run_import(custody, {"brady_import": 1, "events": batch}, "admin")
    finally:
        Session.link_item, Session.link_party = saved
    engine = custody.led.engine
    if engine.dialect.name == "postgresql":  # as autovacuum would on a production server
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")


def evaluate_agency(custody: Custody, record: Any) -> AgencyResult:
    """Load the record, take in each measured intake with linking on, read the suggestions."""
    result = AgencyResult()
    scenario = record.scenario
    bootstrap_admin(custody)
    t0 = time.perf_counter()
    load_background(custody, scenario)
    result.load_seconds = time.perf_counter() - t0
    result.relations_before = review_related_cases(custody)
    for event in record.intakes:
        t = time.perf_counter()
        run_import(custody, {"brady_import": 1, "events": [event]}, "admin")
        result.intake_seconds.append(time.perf_counter() - t)
    result.suggested = recorded_suggestions(custody, record.labels)
    with custody.led.engine.connect() as conn:
        relations = conn.execute(text("SELECT count(DISTINCT relation_id) FROM case_relation"))
        result.relations_during = int(relations.scalar_one()) - result.relations_before
        rows = conn.execute(
            text("SELECT relation_id IS NULL, status, count(*) FROM link_suggestion GROUP BY 1, 2")
        ).all()
    for alone, status, count in rows:
        if alone:
            result.queue += int(count)
        else:
            result.followed[str(status)] += int(count)
    events = scenario.get("events") or []
    result.counts = {
        "cases": sum(1 for e in events if e["do"] == "case.open"),
        "closed": len(record.closed),
        "persons": len(scenario.get("persons") or []),
        "organizations": len(scenario.get("organizations") or []),
        "events": len(events),
        "items": sum(1 for e in events if e["do"] == "item.intake"),
    }
    return result


def review_related_cases(custody: Custody, reviewer: str = "pros") -> int:
    """The related cases of the loaded record (it was loaded with linking off), found as
    `brady links related --find` does, and each side decided at once by the generator's
    truth, by which a party of two open cases ties their items to both: all accepted. The
    measured intakes then meet a record whose related cases were reviewed, as an agency's
    would be in its daily work. How many were found."""
    with custody.session() as s:
        found = s.find_related_cases("admin")
    with custody.session() as s, custody.led.engine.connect() as conn:
        sides = conn.execute(text("SELECT DISTINCT relation_id, case_id FROM case_relation")).all()
        for relation_id, case_id in sides:
            s.accept_relation(reviewer, relation_id, case_id, "The same person in both cases")
    return len(found)


def _intake_class(record: Any, item: str) -> str:
    if item in record.hard:
        return f"hard negative: {record.hard[item]}"
    if item in record.noise:
        kind = record.noise[item]
        return f"ordinary, {kind}" if kind.startswith("repeat_") else f"misfiled: {kind}"
    return "ordinary"


def _excerpt(record: Any, item: str, width: int = 220) -> str:
    event = next(e for e in record.intakes if e["item_id"] == item)
    narrative = f"[{event.get('description', '')}] {event.get('narrative', '')}"
    written = record.mentions.get(item, ("", ""))[1]
    at = narrative.find(written) if written else -1
    start = max(0, at - width // 3) if at >= 0 else 0
    text = narrative[start : start + width]
    return ("..." if start else "") + text + ("..." if start + width < len(narrative) else "")


def agency_figures(record: Any, result: AgencyResult) -> dict[str, Any]:
    truth = {(i, c) for i, cases in record.labels.items() for c in cases}
    got = set(result.suggested)
    n = len(record.labels)
    per_kind: dict[str, list[int]] = {}
    for item, kind in record.noise.items():
        true = {(item, c) for c in record.labels[item]}
        row = per_kind.setdefault(kind, [0, 0, 0])
        row[0] += 1
        row[1] += len(true & got)
        row[2] += len(true)
    by_item = Counter(i for i, _ in got)
    hard: dict[str, list[int]] = {}
    for item, kind in record.hard.items():
        row = hard.setdefault(kind, [0, 0, 0])
        row[0] += 1
        row[1] += by_item[item] > 0
        row[2] += by_item[item]
    fp_class = Counter(_intake_class(record, i).split(":")[0].split(",")[0] for i, _ in got - truth)
    # A misfiled intake stays in the file it was misfiled in: a later intake of the case it
    # truly bears on may then be suggested that file too (counted as a false positive).
    order = {e["item_id"]: k for k, e in enumerate(record.intakes)}
    misfiled_in: dict[str, list[tuple[int, set[str]]]] = {}
    for item, kind in record.noise.items():
        if not kind.startswith("repeat_"):
            misfiled_in.setdefault(record.own[item], []).append(
                (order[item], set(record.labels[item]))
            )
    via_misfiled = sum(
        1
        for i, c in got - truth
        if any(k < order[i] and record.own[i] in bears for k, bears in misfiled_in.get(c, []))
    )
    return {
        "figures": Figures(len(truth & got), len(got - truth), len(truth - got)),
        "per_kind": per_kind,
        "hard": hard,
        "fp_class": fp_class,
        "fp_via_misfiled": via_misfiled,
        "intakes": n,
        "suggestions": len(got),
        "with_suggestion": len(by_item),
    }


def report_agency(record: Any, result: AgencyResult, where: str, verbose: bool = True) -> None:
    ar = agency_record_module()
    f = agency_figures(record, result)
    fig: Figures = f["figures"]
    n = max(1, f["intakes"])
    c = result.counts
    times = sorted(result.intake_seconds) or [0.0]
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"agency record: seed {record.seed}, {c['cases']:,} cases ({c['closed']} closed), "
        f"{c['persons']:,} persons, {c['organizations']:,} businesses, "
        f"{c['items']:,} background items; {where}"
    )
    print(
        f"load (linking off, {c['events']:,} events + reference records): "
        f"{result.load_seconds:.1f} s; {f['intakes']:,} measured intakes with linking on: "
        f"mean {statistics.mean(times) * 1e3:.1f} ms, p95 {p95 * 1e3:.1f} ms"
    )
    print(f"\n{'true links (item, case)':34}{'pairs':>7}{'found':>7}{'recall':>8}{'intakes':>9}")
    print(f"{'all':34}{fig.tp + fig.fn:>7}{fig.tp:>7}{fig.recall:>8.3f}{len(record.noise):>9}")
    for kind in (*ar.NOISE_KINDS, *ar.REPEAT_KINDS):
        if kind in f["per_kind"]:
            items, found, true = f["per_kind"][kind]
            recall = found / true if true else 1.0
            print(f"  {kind:32}{true:>7}{found:>7}{recall:>8.3f}{items:>9}")
    print(f"\n{'hard negatives':34}{'intakes':>7}{'sugg.':>7}{'share':>8}{'links':>9}")
    total = [sum(v[k] for v in f["hard"].values()) for k in range(3)]
    print(f"{'all':34}{total[0]:>7}{total[1]:>7}{total[1] / max(1, total[0]):>8.3f}{total[2]:>9}")
    for kind in ar.HARD_KINDS:
        if kind in f["hard"]:
            items, hit, links = f["hard"][kind]
            print(f"  {kind:32}{items:>7}{hit:>7}{hit / max(1, items):>8.3f}{links:>9}")
    print(f"\n{'':34}{'value':>10}")
    followed = result.followed
    every = c["items"] + f["intakes"]
    rows = [
        ("recall (tp / true pairs)", f"{fig.recall:.3f}"),
        ("precision (tp / suggested pairs)", f"{fig.precision:.3f}"),
        ("tp / fp / fn", f"{fig.tp} / {fig.fp} / {fig.fn}"),
        ("false positives per 100 intakes", f"{fig.fp * 100 / n:.1f}"),
        ("suggestions per 100 intakes", f"{f['suggestions'] * 100 / n:.1f}"),
        ("  under reviewed related cases", f"{sum(followed.values())}"),
        ("  read one by one (item queue)", f"{result.queue}"),
        ("queue load: item queue per 100", f"{result.queue * 100 / n:.1f}"),
        ("related cases in the record", f"{result.relations_before}"),
        ("  per 100 cases", f"{result.relations_before * 100 / max(1, c['cases']):.1f}"),
        ("  per 100 intakes of the record", f"{result.relations_before * 100 / every:.1f}"),
        ("  raised by measured intakes", f"{result.relations_during}"),
        ("intakes with any suggestion", f"{f['with_suggestion']}"),
    ]
    rows += [(f"  fp from {k} intakes", str(v)) for k, v in sorted(f["fp_class"].items())]
    rows.append(("  fp: case holds a misfiled intake", str(f["fp_via_misfiled"])))
    for label, value in rows:
        print(f"{label:34}{value:>10}")
    if verbose:
        _agency_errors(record, result)


def _agency_errors(record: Any, result: AgencyResult, limit: int = 40) -> None:
    truth = {(i, c) for i, cases in record.labels.items() for c in cases}
    misses = sorted(truth - set(result.suggested))
    extras = sorted(set(result.suggested) - truth)
    print(f"\nmisses: {len(misses)} (first {min(limit, len(misses))})")
    for item, case in misses[:limit]:
        kind = record.noise.get(item, "?")
        print(f"  {item} -> {case}  [{kind}] {record.notes.get(item, '')}")
        got = sorted(c for i, c in result.suggested if i == item)
        print(f"      suggested instead: {', '.join(got) or 'nothing'}")
        print(f"      {_excerpt(record, item)}")
    print(f"\nfalse positives: {len(extras)} (first {min(limit, len(extras))})")
    for item, case in extras[:limit]:
        s = result.suggested[item, case]
        print(
            f"  {item} -> {case}  [{_intake_class(record, item)}] {s.score:.3f}: "
            + " | ".join(s.reasons)
        )
        if item in record.notes:
            print(f"      truth: {record.notes[item]}")
        print(f"      {_excerpt(record, item)}")


def dump_agency(record: Any, path: Path) -> None:
    import yaml

    data = dict(record.scenario)
    data["events"] = [*record.scenario["events"], *record.intakes]
    data["labels"] = record.labels
    data["noise"] = record.noise
    data["hard"] = record.hard
    data["notes"] = record.notes
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f"# Generated by bench/agency_record.py (seed {record.seed}); the last "
            f"{len(record.intakes)} events are the measured intakes.\n"
        )
        yaml.dump(data, out, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def agency_main(args: argparse.Namespace) -> None:
    if args.keep and args.postgres:
        raise SystemExit("--keep keeps a SQLite ledger; leave out --postgres to use it")
    ar = agency_record_module()
    t = time.perf_counter()
    record = ar.generate(
        args.seed, args.cases, args.intakes, args.misfiled_share, args.repeat_share
    )
    print(f"generated in {time.perf_counter() - t:.1f} s")
    if args.dump:
        dump_agency(record, Path(args.dump))
        print(f"wrote {args.dump}")
    root = Path(tempfile.mkdtemp(prefix="brady-linking-agency-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(root / "master.key"))
    try:
        with fresh_custody(root, args.postgres) as opened:
            custody = opened
            if args.threshold is not None:  # as `[linking] threshold` in brady.toml would
                led = opened.led
                linking = replace(led.config.linking, threshold=args.threshold)
                custody = Custody(replace(led, config=replace(led.config, linking=linking)))
            result = evaluate_agency(custody, record)
    finally:
        if args.keep:
            print(f"kept the loaded ledger in {root / 'home'} (SQLite), to look into")
        else:
            shutil.rmtree(root, ignore_errors=True)
    where = "PostgreSQL" if args.postgres else "SQLite"
    report_agency(record, result, where, verbose=not args.quiet)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help=f"labelled scenarios (default: {EVAL_DIR}/*.yaml)")
    ap.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (e.g. postgresql://postgres@127.0.0.1:5432/postgres); "
        "each file is loaded into a new database there, dropped afterwards",
    )
    ap.add_argument("--quiet", action="store_true", help="figures only, no list of errors")
    ap.add_argument("--agency", action="store_true", help="a generated agency record")
    ap.add_argument("--cases", type=int, default=10000, help="--agency: cases (10000)")
    ap.add_argument("--intakes", type=int, default=2000, help="--agency: measured intakes")
    ap.add_argument("--seed", type=int, default=1, help="--agency: the generator's seed")
    ap.add_argument(
        "--misfiled-share",
        type=float,
        default=0.08,
        help="--agency: share of the intakes filed under the wrong case (0.08)",
    )
    ap.add_argument(
        "--repeat-share",
        type=float,
        default=0.03,
        help="--agency: share of the parties who are parties of an earlier case too (0.03)",
    )
    ap.add_argument("--dump", metavar="FILE", help="--agency: write the record as YAML")
    ap.add_argument(
        "--keep",
        action="store_true",
        help="--agency: keep the loaded ledger (SQLite only) to look into its suggestions",
    )
    ap.add_argument(
        "--threshold", type=float, help="--agency: suggest from this probability (default: 0.5)"
    )
    args = ap.parse_args()
    if args.agency:
        agency_main(args)
        return
    root = Path(tempfile.mkdtemp(prefix="brady-linking-eval-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(root / "master.key"))
    results = []
    for k, path in enumerate(eval_files(args.files)):
        with fresh_custody(root / str(k), args.postgres) as custody:
            results.append(evaluate(custody, load_file(path), path.name))
    report(results, verbose=not args.quiet)


if __name__ == "__main__":
    main()
