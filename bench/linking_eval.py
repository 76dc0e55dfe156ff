"""Linking evaluation: recall and precision of link suggestions against labelled intakes.

    python bench/linking_eval.py [FILE ...] [--postgres URL] [--quiet]

Each file (default: every tests/linking/eval/*.yaml) is a Brady import scenario with one
extra top-level key the importer does not read, `labels: {ITEM_ID: [case_id, ...]}`: the
open cases, other than its own, each labelled intake truly bears on. The file is loaded
into a fresh ledger (SQLite, or a new database on the PostgreSQL server of `--postgres`)
through brady.custody.importer.run_import, as operator `admin`. Everything up to the first
labelled intake is one import; each later event is one import of its own, so that right
after each labelled intake its evidence can be re-scored in the state the linker saw.

Figures, micro-averaged over (item, case) pairs:
  * recorded: the `link.suggest` events Brady recorded (table link_suggestion), at the
    default threshold;
  * re-scored at 0.2, 0.3, 0.4, 0.5: brady.linking.match.score on
    brady.linking.candidates.evidence_for_item, excluding the item's own cases;
  * baseline: suggesting every open case (recall 1.0 at the base rate's precision).
Then every miss and every false positive of the recorded suggestions, with the
evidence the matcher had and its reasons, and what other thresholds would change.
Nothing is asserted here; tests/linking/test_eval.py guards the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from brady.cli.admin import bootstrap_admin
from brady.custody.importer import load_file, run_import
from brady.custody.service import Custody
from brady.linking import match
from brady.linking import candidates
from brady.linking.suggest import open_cases as open_case_count
from brady.ledger_home import init_home

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
        evidence = candidates.evidence_for_item(conn, item)
        mentions = candidates.item_mentions(conn, item)
        n_open = open_case_count(conn)
        conn.rollback()
    wrong = result.labels[item] - (open_cases - own)
    if wrong:
        raise SystemExit(
            f"{result.name}: {item} is labelled with {', '.join(sorted(wrong))}, "
            "which are its own cases or not open when it was taken in"
        )
    result.open_cases[item] = open_cases - own
    for sug in match.score(evidence, own, n_open, mentions, threshold=0.0):
        result.evidence[item, sug.case_id] = Scored(sug.score, sug.reasons)
    for threshold in THRESHOLDS:
        found = match.score(evidence, own, n_open, mentions, threshold=threshold)
        result.predicted[str(threshold)][item] = {s.case_id for s in found}


def _read_recorded(custody: Custody, result: FileResult) -> None:
    with custody.led.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT item_id, case_id, score, reasons FROM link_suggestion")
        ).all()
    for item, case, score, reasons in rows:
        if item in result.labels:
            result.predicted[RECORDED][item].add(case)
            result.recorded[item, case] = Scored(float(score), tuple(json.loads(reasons)))


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
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="brady-linking-eval-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(root / "master.key"))
    results = []
    for k, path in enumerate(eval_files(args.files)):
        with fresh_custody(root / str(k), args.postgres) as custody:
            results.append(evaluate(custody, load_file(path), path.name))
    report(results, verbose=not args.quiet)


if __name__ == "__main__":
    main()
