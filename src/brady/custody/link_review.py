"""Linking's commands: patterns, training, suggestions recorded at intake, a file's
mentions, and the prosecutor's review of each suggestion."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..domain.errors import NotFoundError, RefusedError
from ..ledger.entry import Entry
from ..linking import candidates, foresight, match, naming_items, training
from ..linking.foresight import Foresight
from ..linking.names import fold
from ..linking.suggest import suggest
from ..store import custody_queries as q
from ..store import link_queries
from ..store.home import LinkingConfig
from ..store.link_queries import suggestion_state
from .commands_base import (
    REVIEWERS,
    SessionBase,
    held_to,
)
from .related_cases import shared_people


def suggestions_on(conn: Connection, config: LinkingConfig, item_id: str) -> list[match.Suggestion]:
    """Which open cases the item may bear on, and why, read on `conn` (a dry run in a read
    connection, or inside a session that then records them)."""
    if q.item_state(conn, item_id) is None:
        raise NotFoundError(f"there is no item {item_id!r}", "item_id")
    return suggest(conn, item_id, config.weights, config.threshold)


class LinkCommands(SessionBase):
    @held_to(("admin", None))
    def set_linking_patterns(
        self,
        by: str,
        reason: str,
        case_numbers: list[str] | None = None,
        calibers: dict[str, str] | None = None,
        makes: dict[str, str] | None = None,
        places: list[str] | None = None,
    ) -> Entry:
        """Replace the extra patterns linking looks for; later intakes are read with them."""
        self._admin(by)
        return self._record(
            by,
            "linking.patterns",
            {
                "case_numbers": case_numbers or [],
                "calibers": calibers or {},
                "makes": makes or {},
                "places": sorted({fold(p).strip() for p in places or []}),
                "reason": reason,
            },
            ["linking:patterns"],
        )

    @held_to(("admin", None))
    def train_linking(self, by: str, reason: str, queue_per_100: float | None = None) -> Entry:
        """Learn the linking weights from the suggestions reviewers decided, and record
        them: from now on suggestions are weighed with them. With a target queue load
        (suggestions per 100 intakes), also the least score that would have kept the
        record's own suggestions within it: the threshold rises to it, never falls."""
        self._admin(by)
        accepted, rejected, intakes = candidates.accepted_evidence(self.conn)
        m, prior = training.train(accepted, intakes)
        threshold = None
        if queue_per_100 is not None:
            if not 0 < queue_per_100 <= 1000:
                raise RefusedError(
                    f"a queue of {queue_per_100} per 100 intakes: expected a number above 0 "
                    "and at most 1000",
                    "queue_per_100",
                )
            scores = candidates.suggestion_scores(self.conn)
            threshold = training.queue_threshold(scores, intakes, queue_per_100)
        return self._record(
            by,
            "linking.model",
            {
                "m": m,
                "prior": prior,
                "accepted": len(accepted),
                "rejected": rejected,
                "intakes": intakes,
                "reason": reason,
                "queue_per_100": queue_per_100,
                "threshold": threshold,
            },
            ["linking:model"],
        )

    def suggest_links(self, item_id: str, seen: Foresight | None = None) -> list[match.Suggestion]:
        """Which open cases the item may bear on, and why (nothing is recorded). `seen`: the
        suggestions of an intake read before the lock, used if they still hold."""
        config = self.custody.led.config.linking
        found = foresight.still_holds(self.conn, seen, item_id, config) if seen else None
        return found if found is not None else suggestions_on(self.conn, config, item_id)

    def link_item(
        self, item_id: str, occurred_at: str | None = None, seen: Foresight | None = None
    ) -> list[Entry]:
        """Record a suggestion for every open case the item may bear on, signed by Brady's
        linking service. People decide; nothing is linked silently: a suggestion that rests
        only on a party the item's case shares with the other follows the related cases'
        decision (`related_cases.py`), linked by an accepted one, not raised after a
        rejected one. `occurred_at`: when what prompted it happened (see `_suggested_at`)."""
        suggestions = self.suggest_links(item_id, seen)
        if not suggestions:
            return []
        linker = self._linker()
        filed: list[str] | None = None
        timed = [(self._suggested_at(item_id, sug, occurred_at), sug) for sug in suggestions]
        # In the order they could first have been made: one linked by a related cases'
        # decision is a step of the item, and an item's steps are recorded in time order.
        timed.sort(key=lambda ts: (ts[0] is None, ts[0] or ""))
        out = []
        for at, sug in timed:
            people = shared_people(sug)
            side = None
            if people is not None:
                filed = filed if filed is not None else list(self._item(item_id).case_ids)
                side = self.whole.relation_for(sug.case_id, filed, people)
            if side is not None and side.status == "rejected":
                continue
            out.append(
                self._record(
                    linker,
                    "link.suggest",
                    {
                        "suggestion_id": candidates.next_suggestion_id(self.conn),
                        "item_id": item_id,
                        "case_id": sug.case_id,
                        "score": sug.score,
                        "reasons": list(sug.reasons),
                        "evidence": list(sug.evidence),
                        "occurred_at": at,
                        "relation_id": None if side is None else side.relation_id,
                    },
                    [f"item:{item_id}", f"case:{sug.case_id}"],
                )
            )
        return out

    def _suggested_at(
        self, item_id: str, sug: match.Suggestion, prompted: str | None
    ) -> str | None:
        """When the suggestion could first have been made, by when things happened: not
        before what prompted it, nor before the item's evidence (its intake, files, lab
        results) or the case's facts it rests on (its opening; the parties it names) were
        in place. None: now, when it is recorded."""
        if prompted is None:
            return None
        people = [key.split("|", 1)[1] for key in sug.evidence if "|" in key]
        times = [
            ev.ledger_time(prompted),
            *link_queries.case_fact_times(self.conn, sug.case_id, people),
        ]
        evidence = link_queries.item_evidence_time(self.conn, item_id)
        return max([*times, evidence] if evidence else times)

    def record_file_text(
        self, item_id: str, sha256: str, reader: str, pages: int, mentions: list[ev.PageMention]
    ) -> list[Entry]:
        """What an attached file's pages mention, signed by Brady's linking service, then
        the item's link suggestions with that in hand."""
        if not q.has_file(self.conn, item_id, sha256):
            raise RefusedError(f"no file {sha256} is attached to {item_id}", "sha256")
        entry = self._record(
            self._linker(),
            "file.read",
            {
                "item_id": item_id,
                "sha256": sha256,
                "reader": reader,
                "pages": pages,
                "mentions": [m.model_dump() for m in mentions],
            },
            [f"item:{item_id}", f"file:{sha256}"],
        )
        return [entry, *self.link_item(item_id)]

    def link_party(
        self, case_id: str, person_id: str, occurred_at: str | None = None
    ) -> list[Entry]:
        """A new party: other open cases they are a party of are related to this one, and
        items already in custody that name them may bear on this case."""
        out = self.whole.relate_party(case_id, person_id, occurred_at)
        for item_id in naming_items.items_naming_person(self.conn, person_id):
            out += self.link_item(item_id, occurred_at)
        return out

    def _open_suggestion(self, suggestion_id: str) -> tuple[str, str]:
        found = suggestion_state(self.conn, suggestion_id)
        if found is None:
            raise RefusedError(f"there is no link suggestion {suggestion_id!r}", "suggestion_id")
        item_id, case_id, status = found
        if status != "open":
            raise RefusedError(f"suggestion {suggestion_id} was already {status}", "suggestion_id")
        return str(item_id), str(case_id)

    @held_to(("suggestion", "suggestion_id"))
    def accept_link(
        self, by: str, suggestion_id: str, reason: str, occurred_at: str | None = None
    ) -> Entry:
        """The item joins the case: it becomes part of that case's discovery."""
        self._role(by, REVIEWERS, "decide link suggestions")
        item_id, case_id = self._open_suggestion(suggestion_id)
        if case_id in self._item(item_id).case_ids:
            raise RefusedError(
                f"{item_id} is already filed under {case_id}; reject the "
                "suggestion with that reason",
                "suggestion_id",
            )
        return self._record(
            by,
            "link.accept",
            {"suggestion_id": suggestion_id, "reason": reason, "occurred_at": occurred_at},
            [f"item:{item_id}", f"case:{case_id}"],
        )

    @held_to(("suggestion", "suggestion_id"))
    def reject_link(
        self, by: str, suggestion_id: str, reason: str, occurred_at: str | None = None
    ) -> Entry:
        self._role(by, REVIEWERS, "decide link suggestions")
        item_id, case_id = self._open_suggestion(suggestion_id)
        return self._record(
            by,
            "link.reject",
            {"suggestion_id": suggestion_id, "reason": reason, "occurred_at": occurred_at},
            [f"item:{item_id}", f"case:{case_id}"],
        )
