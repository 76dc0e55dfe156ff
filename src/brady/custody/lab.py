"""Lab requests and results."""

from __future__ import annotations

from ..domain import events as ev
from ..domain.errors import RefusedError
from ..ledger.entry import Entry
from ..store import custody_queries as q
from ..store.custody_tables import (
    item_file,
    lab_request,
)
from .commands_base import (
    LAB,
    LAB_REQUESTERS,
    SessionBase,
    held_to,
)


class LabCommands(SessionBase):
    @held_to(("record", None), ("item", "item_ids"))
    def lab_request(
        self,
        by: str,
        request_id: str,
        lab: str,
        item_ids: list[str],
        examinations: str,
        occurred_at: str | None = None,
    ) -> Entry:
        self._role(by, LAB_REQUESTERS, "request lab work")
        if q.exists(self.conn, lab_request, request_id):
            raise RefusedError(f"lab request {request_id!r} already exists", "request_id")
        checked = ev.parse_payload(
            "lab.request",
            {
                "request_id": request_id,
                "lab": lab,
                "item_ids": item_ids,
                "examinations": examinations,
            },
        )
        assert isinstance(checked, ev.LabRequest)
        item_ids = checked.item_ids
        if len(set(item_ids)) != len(item_ids):
            raise RefusedError("an item is named twice", "item_ids")
        for item_id in item_ids:
            if self._item(item_id).status == "disposed":
                raise RefusedError(f"{item_id} has been disposed of", "item_ids")
        return self._record(
            by,
            "lab.request",
            {
                "request_id": request_id,
                "lab": lab,
                "item_ids": item_ids,
                "examinations": examinations,
                "occurred_at": occurred_at,
            },
            [f"lab:{request_id}", *(f"item:{i}" for i in item_ids)],
        )

    @held_to(("lab", "request_id"))
    def lab_result(
        self,
        by: str,
        request_id: str,
        findings: str,
        report_sha256: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        self._role(by, LAB, "record lab results")
        if not q.exists(self.conn, lab_request, request_id):
            raise RefusedError(f"there is no lab request {request_id!r}", "request_id")
        if q.lab_has_result(self.conn, request_id):
            raise RefusedError(
                f"lab request {request_id} already has a result; an amended report is a new "
                "lab request",
                "request_id",
            )
        if report_sha256 is not None and not q.has_row(self.conn, item_file, sha256=report_sha256):
            raise RefusedError(
                f"no file with SHA-256 {report_sha256} is attached to any item; attach the "
                "lab report first (brady item attach)",
                "report_sha256",
            )
        entry = self._record(
            by,
            "lab.result",
            {
                "request_id": request_id,
                "findings": findings,
                "report_sha256": report_sha256,
                "occurred_at": occurred_at,
            },
            [f"lab:{request_id}"],
        )
        for item_id in q.lab_request_items(self.conn, request_id):
            self.whole.link_item(item_id, occurred_at)
        return entry
