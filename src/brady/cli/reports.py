"""`brady item report` and `brady labels`: documents for clerks, lawyers and courts."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..reports import chain_of_custody, render
from .custody import _open, item_app
from .moments import AsOf, AsRecorded, opened_at
from .output import emit, fail, friendly_errors, options


@item_app.command("report")
def item_report(
    ctx: typer.Context,
    item_id: str,
    out: Annotated[Path, typer.Option(help="File to write: .pdf or .html", dir_okay=False)],
    as_of: AsOf = None,
    as_recorded: AsRecorded = None,
) -> None:
    """The chain-of-custody report of an item, with every signature and entry checked;
    now, or as the record stood."""
    opts = options(ctx)
    if out.suffix.lower() not in {".pdf", ".html"}:
        fail(f"--out {out} must end in .pdf or .html")
    with opened_at(ctx, as_of, as_recorded, f"item:{item_id}") as (led, conn, seen):
        then = chain_of_custody.Then(conn, seen.size, seen.said) if seen.said else None
        data = chain_of_custody.build(led, item_id, then=then)
        if data is None:
            fail(f"there is no item {item_id!r}")
        document = render.html("chain_of_custody.html.j2", **data)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(render.pdf(document))
    else:
        out.write_text(document, encoding="utf-8")
    verdict = "every step verified" if data["all_ok"] else "SOME STEPS FAILED VERIFICATION"
    emit(
        opts,
        {"path": str(out), "steps": len(data["steps"]), "verified": data["all_ok"]},
        f"Wrote the chain-of-custody report of {item_id} to {out} "
        f"({len(data['steps'])} steps, {verdict}).",
    )
    if not data["all_ok"]:
        raise typer.Exit(1)


class LabelStock(StrEnum):
    """The label stocks `brady labels --format` prints on (reports/labels.py: FORMATS)."""

    sheet = "sheet"
    thermal = "thermal"


def labels_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="PDF file to write.", dir_okay=False)],
    item: Annotated[list[str] | None, typer.Option(help="Item id (repeat).")] = None,
    case: Annotated[str | None, typer.Option(help="Every item of this case.")] = None,
    location: Annotated[list[str] | None, typer.Option(help="Location id (repeat).")] = None,
    label_format: Annotated[
        LabelStock,
        typer.Option(
            "--format",
            help="sheet: letter sheets of 3 x 10 labels (Avery 5160); "
            "thermal: a 2 x 1 inch label printer, one label to a page.",
        ),
    ] = LabelStock.sheet,
) -> None:
    """Print labels (QR code, Code 128 barcode, id, case numbers) for items and locations,
    on letter sheets of 3 x 10 or for a 2 x 1 inch thermal label printer."""
    from ..reports import labels

    opts = options(ctx)
    fmt = labels.FORMATS[label_format.value]
    with _open(opts, writable=False) as led, friendly_errors(), led.engine.connect() as conn:
        ids = list(item or []) + (labels.case_item_ids(conn, case) if case else [])
        sheet = labels.item_labels(conn, ids, fmt)
        sheet += labels.location_labels(conn, list(location or []), fmt)
    if not sheet:
        fail("name at least one --item, --case or --location")
    out.write_bytes(render.pdf(render.html("labels.html.j2", **labels.context(sheet, fmt))))
    emit(
        opts,
        {"path": str(out), "labels": len(sheet), "format": fmt.name},
        f"Wrote {len(sheet)} labels ({fmt.title}) to {out}.",
    )


def register(app: typer.Typer) -> None:
    app.command("labels")(labels_command)
