"""The certificate of compliance: rendered only for a case with nothing outstanding."""

from __future__ import annotations

from datetime import date

from ..domain.errors import RefusedError
from ..reports import render
from .compliance import Compliance

STATUS_WORDS = {
    "disclosed": "disclosed on time",
    "late": "disclosed LATE",
    "withheld": "withheld (approved)",
    "withhold_pending": "withholding awaits approval",
    "overdue": "OVERDUE",
    "due_soon": "due soon",
    "pending": "not yet due",
}


class NotCertifiableError(RefusedError, ValueError):
    """The case has something outstanding (or no one is charged); `reasons` says what."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


def certificate_html(view: Compliance, today: date) -> str:
    if not view.charged:
        raise NotCertifiableError(
            [f"no one is charged in {view.case_id}: there is nothing to certify"]
        )
    if not view.certifiable:
        raise NotCertifiableError(view.blockers)
    return render.html(
        "certificate.html.j2", view=view, today=today.isoformat(), status_words=STATUS_WORDS
    )
