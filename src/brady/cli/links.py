"""`brady links ...`: the review queue of suggested links between items and cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from ..ledger.entry import Entry
from ..linking.suggest import suggest as linking_suggest
from ..store import custody_queries as q
from ..store import link_queries
from ..store import relation_queries as rq
from .custody import When, _open, _read, _record, _record_all, _table
from .moments import AsOf, AsRecorded, as_json, read_at
from .output import emit, fail, options

links_app = typer.Typer(
    help="Suggested links between items and other cases, and their review.", no_args_is_help=True
)


@links_app.command("suggest")
def suggest(ctx: typer.Context, item_id: str) -> None:
    """Which open cases an item may bear on, and why (a dry run: nothing is recorded)."""
    opts = options(ctx)

    with _open(opts, writable=False) as led, led.engine.connect() as conn:
        found = None
        if q.item_state(conn, item_id) is not None:
            config = led.config.linking
            found = linking_suggest(conn, item_id, config.weights, config.threshold)
    if found is None:
        fail(f"there is no item {item_id!r}")
    data = [{"case_id": x.case_id, "score": x.score, "reasons": list(x.reasons)} for x in found]
    lines = [
        f"{item_id} may bear on {len(found)} other case(s):"
        if found
        else f"No other open case shares anything with {item_id} that is not yet decided."
    ]
    for x in found:
        lines.append(f"  {x.case_id} (score {x.score:.2f})")
        lines += [f"    - {r}" for r in x.reasons]
    emit(opts, data, "\n".join(lines))


@links_app.command("queue")
def queue(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Option(help="Only this case's suggestions.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Decided ones too.")] = False,
    as_of: AsOf = None,
    as_recorded: AsRecorded = None,
) -> None:
    """Suggestions waiting for a prosecutor's decision (outstanding until decided); now,
    or as the record stood (what was waiting on the day of a hearing)."""
    data, seen = read_at(
        ctx,
        as_of,
        as_recorded,
        lambda conn, _day, _zone: link_queries.waiting(conn, case, all_),
        f"case:{case}" if case else None,
    )
    opts = options(ctx)
    if opts.json:
        emit(opts, {"suggestions": data, **as_json(seen)} if seen.said else data, "")
        return
    if seen.said:
        typer.echo(seen.said)
    if not data:
        typer.echo("No link suggestion is waiting for review.")
        return
    _table(
        f"Link suggestions ({len(data)})",
        ["Id", "Item", "Case", "Score", "Status", "Decided with", "Why"],
        [
            [
                d["suggestion_id"],
                d["item_id"],
                d["case_id"],
                f"{d['score']:.2f}",
                d["status"],
                d["relation_id"] or "",
                "; ".join(d["reasons"]),
            ]
            for d in data
        ],
    )


@links_app.command("accept")
def accept(
    ctx: typer.Context,
    suggestion_id: str,
    reason: Annotated[str, typer.Option(help="Why it bears on the case.")],
    occurred_at: When = None,
) -> None:
    """Accept: the item joins the case and its discovery."""
    _record(
        ctx,
        lambda s, by: s.accept_link(by, suggestion_id, reason, occurred_at),
        lambda e: f"link {suggestion_id} accepted; the item is now part of the case",
    )


@links_app.command("reject")
def reject(
    ctx: typer.Context,
    suggestion_id: str,
    reason: Annotated[str, typer.Option(help="Why it does not bear on the case.")],
    occurred_at: When = None,
) -> None:
    """Reject, with a reason that stays on the record."""
    _record(
        ctx,
        lambda s, by: s.reject_link(by, suggestion_id, reason, occurred_at),
        lambda e: f"link {suggestion_id} rejected",
    )


@links_app.command("related")
def related(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Option(help="Only this case's side.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Decided ones too.")] = False,
) -> None:
    """Related cases waiting for a decision: two open cases that share a party. Each side
    is decided once by its own case's prosecutor; the items of the other case that name
    the party follow that decision, now and later."""
    opts = options(ctx)
    with _open(opts, writable=False) as led, led.engine.connect() as conn:
        data, _ = rq.relation_queue(
            conn,
            None,
            None if all_ else "open",
            limit=10_000,
            offset=0,
            case_ids=[case] if case else [],
        )
    if opts.json:
        emit(opts, data, "")
        return
    if not data:
        typer.echo("No related cases are waiting for a decision.")
        return
    _table(
        f"Related cases ({len(data)} sides)",
        ["Id", "Your case", "Other case", "Shared party", "Items waiting", "Status", "Why"],
        [
            [
                d["relation_id"],
                d["case_id"],
                d["other_case_id"],
                d["person"],
                str(sum(1 for i in d["items"] if i["status"] == "open")),
                d["status"],
                "; ".join(d["reasons"]),
            ]
            for d in data
        ],
    )


def _related_said(verb: str, relation_id: str, case_id: str) -> Callable[[list[Entry]], str]:
    def say(entries: list[Entry]) -> str:
        items = len(entries) - 1
        follows = f"; {items} waiting item(s) {verb} with it" if items else ""
        return f"related cases {relation_id} {verb} for {case_id}{follows}"

    return say


@links_app.command("related-accept")
def related_accept(
    ctx: typer.Context,
    relation_id: str,
    case_id: Annotated[str, typer.Argument(help="Your case: the side you decide.")],
    reason: Annotated[str, typer.Option(help="Why the other case's items bear on yours.")],
    occurred_at: When = None,
) -> None:
    """Accept one side: the other case's items that name the shared party join your case's
    discovery, those waiting now and each one taken in later."""
    _record_all(
        ctx,
        lambda s, by: s.accept_relation(by, relation_id, case_id, reason, occurred_at),
        _related_said("accepted", relation_id, case_id),
    )


@links_app.command("related-reject")
def related_reject(
    ctx: typer.Context,
    relation_id: str,
    case_id: Annotated[str, typer.Argument(help="Your case: the side you decide.")],
    reason: Annotated[str, typer.Option(help="Why they do not bear on your case.")],
    occurred_at: When = None,
) -> None:
    """Reject one side: the other case's items that name the party are not suggested for
    your case again, unless something else ties one to it."""
    _record_all(
        ctx,
        lambda s, by: s.reject_relation(by, relation_id, case_id, reason, occurred_at),
        _related_said("rejected", relation_id, case_id),
    )


@links_app.command("find-related")
def find_related(ctx: typer.Context) -> None:
    """Look through every open case for parties shared with another open case that were
    never suggested (a record kept before Brady related cases, or imported)."""
    _record_all(
        ctx,
        lambda s, by: s.find_related_cases(by),
        lambda found: (
            f"{len(found)} pair(s) of related cases not suggested before"
            + ("; see them with 'brady links related'" if found else "")
        ),
    )


def _pairs(values: list[str], option: str, left: str, right: str) -> dict[str, str]:
    out = {}
    for v in values:
        a, sep, b = v.partition("=")
        if not sep or not a.strip() or not b.strip():
            fail(f"{option} {v!r}: expected {left}={right}")
        out[a.strip()] = b.strip()
    return out


_PATTERN_LINES = {
    "case_number": "  case number: {pattern}",
    "caliber": "  caliber {key}: {pattern}",
    "place": "  place: {key}",
    "town": "  town (learned from the record's addresses): {key}",
    "m": "  weight of {key} (brady links train): {pattern}",
    "prior": "  other cases an intake bears on (brady links train): {pattern}",
    "queue": "  least score, to keep the queue near {key} per 100 intakes: {pattern}",
}
_MAKE_LINE = "  make {pattern!r} is {key}"


@links_app.command("patterns")
def patterns(ctx: typer.Context) -> None:
    """What linking looks for beyond Brady's built-in patterns (set with set-patterns)."""
    rows = _read(ctx, link_queries.linking_patterns)
    data = [{"kind": k, "key": key, "pattern": p} for k, key, p in rows]
    lines = ["Extra linking patterns:" if data else "No extra linking patterns are set."]
    lines += [_PATTERN_LINES.get(d["kind"], _MAKE_LINE).format(**d) for d in data]
    emit(options(ctx), data, "\n".join(lines))


@links_app.command("set-patterns")
def set_patterns(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why the patterns change (kept on the record).")],
    case_number: Annotated[
        list[str] | None,
        typer.Option(help="A regular expression that finds a case number in text. Repeatable."),
    ] = None,
    caliber: Annotated[
        list[str] | None,
        typer.Option(help="KEY=REGEX: another way calibers are written. Repeatable."),
    ] = None,
    make: Annotated[
        list[str] | None,
        typer.Option(help="WRITTEN=KEY: a make as written, and the make it means. Repeatable."),
    ] = None,
    place: Annotated[
        list[str] | None,
        typer.Option(
            help="A town or place the agency works in, never read as a person. Repeatable."
        ),
    ] = None,
) -> None:
    """Replace the extra linking patterns (administrators). Applies to what is recorded next."""
    calibers = _pairs(caliber or [], "--caliber", "KEY", "REGEX")
    makes = _pairs(make or [], "--make", "WRITTEN", "KEY")
    _record(
        ctx,
        lambda s, by: s.set_linking_patterns(
            by, reason, case_number or [], calibers, makes, place or []
        ),
        lambda e: "new linking patterns; intakes from now on are read with them",
    )


def _trained(entry: Entry) -> str:
    p = entry.payload
    m = dict(p["m"])
    strongest = sorted(m.items(), key=lambda kv: -float(kv[1]))[:5]
    said = ", ".join(f"{k} {float(v):.2f}" for k, v in strongest)
    queue = ""
    if p.get("threshold") is not None:
        queue = (
            f"; to keep the queue near {p['queue_per_100']} per 100 intakes, suggestions "
            f"now need a score of at least {float(p['threshold']):.3f}"
        )
    return (
        f"linking weights learned from {p['accepted']} accepted and {p['rejected']} "
        f"rejected suggestions over {p['intakes']} intakes (an intake bears on "
        f"{float(p['prior']):.2f} other cases on average; seen most in accepted links: "
        f"{said}); suggestions from now on are weighed with them{queue}"
    )


@links_app.command("train")
def train(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why the weights are learned again (kept).")],
    queue_per_100: Annotated[
        float | None,
        typer.Option(
            help="Keep the review queue near this many suggestions per 100 intakes: the "
            "threshold rises to the score that would have done so (some links may then "
            "go unsuggested)."
        ),
    ] = None,
) -> None:
    """Learn how much each kind of agreement weighs from the suggestions reviewers decided
    (administrators). Few reviews move the weights little; `[linking] weights` in
    brady.toml still overrides them."""
    _record(ctx, lambda s, by: s.train_linking(by, reason, queue_per_100), _trained)
