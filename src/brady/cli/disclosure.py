"""`brady disclosure ...` and `brady compliance ...`: what the defense is owed, what it got."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from ..disclosure import compliance as compliance_view
from ..disclosure import rules
from ..disclosure import timeline as timeline_report
from ..disclosure.certificate import STATUS_WORDS, certificate_html, cite
from ..disclosure.desk import Desk
from ..disclosure.production import bag_hash, next_production_id, produce
from ..reports import render
from ..store.custody_queries import case_title
from .custody import GROUPS, _open, _record, _table
from .moments import (
    AsOf,
    AsRecorded,
    Moment,
    as_json,
    late_lines,
    read_at,
    say_left_out,
    today_or,
)
from .output import Options, emit, fail, friendly_errors, options

disclosure_app = typer.Typer(
    help="Disclosure to the defense: rule sets, requests, flags, withholding, productions.",
    no_args_is_help=True,
)


def _settings(values: list[str]) -> dict[str, int]:
    out = {}
    for v in values:
        name, sep, days = v.partition("=")
        if not sep or not days.strip().isdigit():
            fail(f"--set {v!r}: expected NAME.days=N, e.g. initial.days=14")
        out[name.strip()] = int(days)
    return out


@disclosure_app.command("rule-sets")
def rule_sets(ctx: typer.Context) -> None:
    """The rule sets that come with Brady, with their sources and open deadlines."""
    shipped = rules.shipped()
    data = [
        {"id": rs.id, "name": rs.name, "citation": rs.citation, "to_confirm": rs.unconfirmed()}
        for rs in shipped.values()
    ]
    lines = []
    for rs in shipped.values():
        lines.append(f"{rs.id}: {rs.name}\n  {rs.citation}\n  source: {rs.source}")
        for name, p in rs.periods().items():
            state = "from the rule's text" if p.confirmed else "MUST BE CONFIRMED on adoption"
            days = f"{p.days} {p.count} days" if p.days else "no number of days"
            lines.append(f"  {name}: {days} after {rules.TRIGGER_WORDS[p.trigger]} ({state})")
    emit(options(ctx), data, "\n".join(lines))


@disclosure_app.command("adopt")
def adopt(
    ctx: typer.Context,
    rule_set: Annotated[str, typer.Argument(help="A shipped rule set id, or a rule file.")],
    reason: Annotated[str, typer.Option(help="Why the agency adopts it (kept on the record).")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="NAME.days=N for a deadline the rule leaves open."),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="The local rule, order or policy that sets them.")
    ] = None,
) -> None:
    """Adopt a jurisdiction's rule set (administrators); its deadlines go on the record."""
    settings = _settings(set_ or [])
    _record(
        ctx,
        lambda s, by: Desk(s).adopt_rules(by, rule_set, settings, source, reason),
        lambda e: f"rule set {e.payload['rule_set']['id']} adopted",
    )


@disclosure_app.command("rules")
def case_rules(
    ctx: typer.Context,
    case_id: str,
    rule_set: str,
    in_custody: Annotated[
        bool | None,
        typer.Option(
            "--in-custody/--not-in-custody", help="Whether the defendant is held (New York)."
        ),
    ] = None,
) -> None:
    """Say which adopted rule set governs a case's disclosure."""
    _record(
        ctx,
        lambda s, by: Desk(s).case_rules(by, case_id, rule_set, in_custody),
        lambda e: f"{case_id} follows {rule_set}",
    )


@disclosure_app.command("request")
def request(
    ctx: typer.Context,
    case_id: str,
    counsel: Annotated[str, typer.Option(help="Who asked, for the defense.")],
    at: Annotated[str | None, typer.Option(help="When (default: now).")] = None,
) -> None:
    """Record the defense's request for discovery (it starts the clock under Rule 16)."""
    _record(
        ctx,
        lambda s, by: Desk(s).request(by, case_id, counsel, at),
        lambda e: f"discovery request in {case_id} from {counsel}",
    )


@disclosure_app.command("flag")
def flag(
    ctx: typer.Context,
    case_id: str,
    unit: Annotated[str, typer.Argument(help="item:ID, file:SHA256 or lab:REQUEST_ID")],
    exculpatory: Annotated[bool, typer.Option(help="It may help the defense (Brady).")] = False,
    impeachment: Annotated[bool, typer.Option(help="It bears on a witness (Giglio).")] = False,
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Mark something as exculpatory or impeachment material."""
    _record(
        ctx,
        lambda s, by: Desk(s).flag(by, case_id, unit, exculpatory, impeachment, note),
        lambda e: f"{unit} flagged in {case_id}",
    )


@disclosure_app.command("withhold")
def withhold(
    ctx: typer.Context,
    case_id: str,
    unit: str,
    reason: Annotated[str, typer.Option(help="Why it is withheld.")],
    order: Annotated[str, typer.Option(help="The protective or court order that allows it.")],
) -> None:
    """Ask to withhold something; another prosecutor must approve."""
    _record(
        ctx,
        lambda s, by: Desk(s).withhold(by, case_id, unit, reason, order),
        lambda e: f"withholding of {unit} in {case_id} requested; it needs approval",
    )


@disclosure_app.command("approve-withholding")
def approve_withholding(ctx: typer.Context, case_id: str, unit: str) -> None:
    """Approve another prosecutor's request to withhold."""
    _record(
        ctx,
        lambda s, by: Desk(s).approve_withholding(by, case_id, unit),
        lambda e: f"withholding of {unit} in {case_id} approved",
    )


@disclosure_app.command("produce")
def produce_command(
    ctx: typer.Context,
    case_id: str,
    to: Annotated[str, typer.Option(help="Defense counsel it is produced to.")],
    out: Annotated[Path, typer.Option(help="Folder to write the bag in.", file_okay=False)],
    production_id: Annotated[
        str | None, typer.Option("--id", help="Production id (default: CASE-P<n>).")
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option(help="Only these (item:ID, file:SHA256, lab:ID); default: all owed."),
    ] = None,
    bates_prefix: Annotated[str, typer.Option(help="Bates number prefix.")] = "BRADY",
    at: Annotated[
        str | None, typer.Option(help="When it was handed to counsel (default: now).")
    ] = None,
) -> None:
    """Build a production (a BagIt bag with custody reports and ledger proofs) and record it."""
    opts = options(ctx)
    out.mkdir(parents=True, exist_ok=True)
    with _open(opts, writable=True) as led, friendly_errors():
        with led.engine.connect() as conn:
            pid = production_id or next_production_id(conn, case_id)
        built = produce(led, opts.user, case_id, pid, to, out, unit, bates_prefix, handed_over=at)
    emit(
        opts,
        {
            "production_id": built.production_id,
            "path": str(built.path),
            "bag_sha256": built.bag_sha256,
            "units": built.units,
            "checkpoint_size": built.checkpoint_size,
            "seq": built.seq,
        },
        f"Recorded: production {built.production_id} of {len(built.units)} thing(s) "
        f"({built.units[0]['bates']} to {built.units[-1]['bates']}) to {to} "
        f"(ledger entry {built.seq}).\nThe bag is {built.path}; its SHA-256 is "
        f"{built.bag_sha256}. Counsel checks it with 'bagit.py --validate' and "
        f"'brady-verify bundle', and acknowledges it with that hash.",
    )


@disclosure_app.command("receipt")
def receipt(
    ctx: typer.Context,
    production_id: str,
    counsel: Annotated[str, typer.Option(help="Who received it, for the defense.")],
    bag_hash_: Annotated[
        str | None, typer.Option("--bag-hash", help="SHA-256 counsel computed.")
    ] = None,
    bag: Annotated[
        Path | None, typer.Option(help="Or: the bag counsel holds (its hash is computed).")
    ] = None,
    at: Annotated[str | None, typer.Option(help="When it was received (default: now).")] = None,
) -> None:
    """Record that defense counsel received a production (the bag hash must match)."""
    if (bag_hash_ is None) == (bag is None):
        fail("give either --bag-hash or --bag")
    digest = bag_hash_ or bag_hash(bag)  # type: ignore[arg-type]
    _record(
        ctx,
        lambda s, by: Desk(s).receipt(by, production_id, counsel, digest, at),
        lambda e: f"{counsel} received production {production_id}",
    )


def compliance(
    ctx: typer.Context,
    case_id: str,
    certificate: Annotated[
        Path | None,
        typer.Option(
            help="Write the certificate of compliance (PDF or .html); refused, with the "
            "list of what is outstanding, until nothing is.",
            dir_okay=False,
        ),
    ] = None,
    today: Annotated[
        str | None, typer.Option(help="Count deadlines at this date (default: the view's).")
    ] = None,
    as_of: AsOf = None,
    as_recorded: AsRecorded = None,
) -> None:
    """What a case owes the defense: held vs disclosed, overdue, due soon, late, withheld,
    and everything that blocks a certificate of compliance."""
    opts = options(ctx)
    found, seen = read_at(
        ctx,
        as_of,
        as_recorded,
        lambda conn, day, zone: (
            compliance_view.compute(conn, case_id, today_or(day, today), zone),
            today_or(day, today),
        ),
        f"case:{case_id}",
    )
    view, when = found
    if view is None:
        fail(f"there is no case {case_id!r}")
    if certificate is not None:
        _certificate(opts, view, certificate, when, seen)
        return
    if opts.json:
        emit(opts, {**view.to_json(), **as_json(seen)}, "")
        return
    _say_moment(seen)
    _say_view(view)


def _say_view(view: compliance_view.Compliance) -> None:
    """The compliance picture in words and a table, for a person at a terminal."""
    typer.echo(f"{view.case_id}: {view.title}")
    if not view.charged:
        typer.echo("No one is charged in this case: nothing is owed to a defense yet.")
        return
    typer.echo(
        f"Rule set: {view.rule_set or 'none chosen'}; clock: {view.trigger or 'not started'}"
    )
    _table(
        f"What the defense is owed ({len(view.units)})",
        ["What", "Obtained", "Due", "Status", "Produced", "Bates", "Received"],
        [
            [
                u.what
                + (" [exculpatory]" if u.exculpatory else "")
                + (" [impeachment]" if u.impeachment else ""),
                u.obtained + (f" (recorded {u.recorded})" if u.recorded else ""),
                u.due or "-",
                STATUS_WORDS[u.status]
                + (f" by {u.days_late} days" if u.status in {"late", "overdue"} else "")
                + (f": {u.withheld_reason}" if u.withheld_reason else ""),
                u.produced,
                u.bates,
                u.received,
            ]
            for u in view.units
        ],
    )
    if view.recorded_late:
        typer.echo(
            f"{len(view.recorded_late)} of these were recorded more than a day after the State "
            "obtained them (both dates are shown); a late-filed intake shows here, and so "
            "does history imported later."
        )
    if view.certifiable:
        typer.echo("Nothing is outstanding: a certificate of compliance can be issued.")
    else:
        typer.echo(f"Outstanding ({len(view.blockers)}): no certificate until these are resolved.")
        for b in view.blockers:
            typer.echo(f"  - {b}")


SHOWN_LATE = 5
"""Late intakes listed by name; a record imported after the fact has them all."""


def _say_moment(seen: Moment) -> None:
    """Which view this is, and the intakes it found recorded after the moment (a late-filed
    item shows here); the other late steps are counted."""
    if not seen.said:
        return
    typer.echo(seen.said)
    say_left_out(seen)
    intakes = late_lines(seen, lambda late: late.kind == "item.intake")
    for line in intakes[:SHOWN_LATE]:
        typer.echo(f"  recorded late: {line}")
    more = len(seen.late) - min(len(intakes), SHOWN_LATE)
    if more:
        typer.echo(
            f"  ...and {more} other step(s) dated by then but recorded later (history "
            "imported later shows here too); --json lists every one"
        )


def _certificate(
    opts: Options, view: compliance_view.Compliance, out: Path, when: date, seen: Moment
) -> None:
    """The certificate, citing the signed checkpoint of the record it describes; the
    checkpoint is also written beside it (NAME.checkpoint) for brady-verify."""
    with _open(opts, writable=False) as led, friendly_errors():
        words = seen.said or f"The record as it stood when this certificate was issued ({when})."
        citation = cite(led.store, led.config.log_vkey, words, seen.size, seen.note)
    if not view.charged or not view.certifiable:
        _refused(opts, view)
    document = certificate_html(view, when, citation)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(render.pdf(document))
    else:
        out.write_text(document, encoding="utf-8")
    cited = out.with_name(out.name + ".checkpoint")
    cited.write_text(citation.cited, encoding="utf-8")
    emit(
        opts,
        {
            "certified": True,
            "path": str(out),
            "checkpoint": str(cited),
            "size": citation.size,
            "units": len(view.units),
        },
        f"Wrote the certificate of compliance for {view.case_id} to {out} "
        f"({len(view.units)} thing(s) disclosed or withheld by order). It cites the ledger's "
        f"checkpoint of {citation.size} entries, also written to {cited}.",
    )


def _refused(opts: Options, view: compliance_view.Compliance) -> NoReturn:
    if not view.charged:
        fail(f"no one is charged in {view.case_id}: there is nothing to certify")
    if opts.json:
        emit(opts, {"certified": False, "blockers": view.blockers}, "")
    lines = "\n".join(f"  - {b}" for b in view.blockers)
    fail(
        f"certificate of compliance refused for {view.case_id}: "
        f"{len(view.blockers)} thing(s) outstanding\n{lines}"
    )


def timeline(
    ctx: typer.Context,
    case_id: str,
    out: Annotated[Path, typer.Option(help="Picture to write: .svg or .png", dir_okay=False)],
    today: Annotated[str | None, typer.Option(help="Draw the clock at this date.")] = None,
    as_of: AsOf = None,
    as_recorded: AsRecorded = None,
) -> None:
    """A case on one time axis: court dates, evidence, links and their review, deadlines
    and productions, so a gap shows at a glance."""
    opts = options(ctx)
    if out.suffix.lower() not in {".svg", ".png"}:
        fail(f"--out {out} must end in .svg or .png")
    found, _seen = read_at(
        ctx,
        as_of,
        as_recorded,
        lambda conn, day, zone: (
            timeline_report.collect(conn, case_id, today_or(day, today), zone),
            case_title(conn, case_id),
            today_or(day, today),
        ),
        f"case:{case_id}",
    )
    marks, title, when = found
    if marks is None:
        fail(f"there is no case {case_id!r}")
    picture = timeline_report.svg(f"{case_id}: {title}", marks, when)
    if out.suffix.lower() == ".png":
        out.write_bytes(timeline_report.png(picture))
    else:
        out.write_text(picture, encoding="utf-8")
    emit(
        opts,
        {"path": str(out), "marks": len(marks)},
        f"Wrote the timeline of {case_id} to {out} ({len(marks)} marks).",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(disclosure_app, name="disclosure")
    app.command("compliance")(compliance)
    GROUPS["case"].command("timeline")(timeline)
