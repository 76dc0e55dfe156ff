"""Related cases: two open cases that share a party are put to a reviewer once, and the
items of either that name that party follow the decision.

Why: a person who is a party of two open cases (the same record of the person, not a
look-alike name) makes every item of one case that names them bear on the other. Asked
item by item, a prosecutor answers the same question again for each intake of either
case; asked once per side ("may items of case A that name Dana Reyes bear on your case
B?"), the answer then settles each such item as it comes: accepted, the item joins B's
discovery by that decision; rejected, it is not raised again unless something else ties
it to B. Each side is decided by its own case's prosecutor, as a link suggestion is.
"""

from __future__ import annotations

from collections.abc import Collection

from ..domain.errors import RefusedError
from ..ledger.entry import Entry
from ..linking import match
from ..store import relation_queries as rq
from .commands_base import REVIEWERS, SessionBase, held_to


def shared_people(suggestion: match.Suggestion) -> set[str] | None:
    """The parties the item's case shares with the suggested case, when they are what the
    suggestion rests on (nothing else it holds would be suggested alone); else None."""
    if not suggestion.shared_only:
        return None
    marker = f"{match.SHARED_PARTY}:"
    return {e.rsplit("|", 1)[1] for e in suggestion.evidence if e.startswith(marker)}


def _words(shared: rq.Shared) -> str:
    role = shared.role.replace("_", " ")
    other = shared.other_role.replace("_", " ")
    return (
        f"{shared.name} is a party of both cases: {role} in {shared.case_id}, "
        f"{other} in {shared.other_case_id}"
    )


class RelationCommands(SessionBase):
    def relate_party(self, case_id: str, person_id: str, occurred_at: str | None) -> list[Entry]:
        """A new party: every other open case they are a party of is related to this one
        (each pair and person suggested once, signed by Brady's linking service)."""
        shared = [s for s in rq.shared_parties(self.conn, case_id) if s.person_id == person_id]
        return [e for s in shared for e in self._suggest_relation(s, occurred_at)]

    @held_to(("admin", None))
    def find_related_cases(self, by: str) -> list[Entry]:
        """Every pair of open cases sharing a party that was never suggested: for a record
        kept before Brady related cases, or loaded with linking off."""
        self._admin(by)
        return [e for s in rq.shared_parties(self.conn) for e in self._suggest_relation(s, None)]

    def _suggest_relation(self, shared: rq.Shared, occurred_at: str | None) -> list[Entry]:
        cases = (shared.case_id, shared.other_case_id)
        if rq.relation_of(self.conn, cases, shared.person_id) is not None:
            return []
        return [
            self._record(
                self._linker(),
                "relation.suggest",
                {
                    "relation_id": rq.next_relation_id(self.conn),
                    "case_ids": sorted(cases),
                    "person_id": shared.person_id,
                    "reasons": [_words(shared)],
                    "occurred_at": occurred_at,
                },
                [*(f"case:{c}" for c in sorted(cases)), f"person:{shared.person_id}"],
            )
        ]

    def relation_for(
        self, case_id: str, filed: Collection[str], people: Collection[str]
    ) -> rq.Side | None:
        """The side a suggestion resting only on these shared people follows: an accepted
        one if any (the item is linked by it), else an open one, else a rejected one (the
        suggestion is not raised). A pair never suggested is suggested now."""
        sides = rq.sides_for(self.conn, case_id, filed, people)
        known = {(s.other_case_id, s.person_id) for s in sides}
        for shared in rq.shared_parties(self.conn, case_id):
            key = (shared.other_case_id, shared.person_id)
            if shared.other_case_id in filed and shared.person_id in people and key not in known:
                self._suggest_relation(shared, None)
                known.add(key)
        sides = rq.sides_for(self.conn, case_id, filed, people)
        for status in ("accepted", "open", "rejected"):
            for s in sides:
                if s.status == status:
                    return s
        return None

    @held_to(("prosecute", "case_id"))
    def accept_relation(
        self, by: str, relation_id: str, case_id: str, reason: str, occurred_at: str | None = None
    ) -> list[Entry]:
        """Items of the other case that name the party join this case's discovery: those
        waiting now, and each one later, by this decision."""
        return self._decide_relation(by, "accept", relation_id, case_id, reason, occurred_at)

    @held_to(("prosecute", "case_id"))
    def reject_relation(
        self, by: str, relation_id: str, case_id: str, reason: str, occurred_at: str | None = None
    ) -> list[Entry]:
        """The other case's items that name the party do not bear on this case: those
        waiting are rejected, and later ones are not raised unless more ties them to it."""
        return self._decide_relation(by, "reject", relation_id, case_id, reason, occurred_at)

    def _decide_relation(
        self,
        by: str,
        verb: str,
        relation_id: str,
        case_id: str,
        reason: str,
        occurred_at: str | None,
    ) -> list[Entry]:
        self._role(by, REVIEWERS, "decide related cases")
        found = rq.side(self.conn, relation_id, case_id)
        if found is None:
            cases = rq.relation_cases(self.conn, relation_id)
            if not cases:
                raise RefusedError(f"there are no related cases {relation_id!r}", "relation_id")
            raise RefusedError(
                f"{relation_id} relates {' and '.join(cases)}, not {case_id}", "case_id"
            )
        if found.status != "open":
            raise RefusedError(
                f"{relation_id} was already {found.status} for {case_id}", "relation_id"
            )
        out = [
            self._record(
                by,
                f"relation.{verb}",
                {
                    "relation_id": relation_id,
                    "case_id": case_id,
                    "reason": reason,
                    "occurred_at": occurred_at,
                },
                [f"case:{case_id}", f"person:{found.person_id}"],
            )
        ]
        for suggestion_id, item_id in rq.open_under(self.conn, relation_id, case_id):
            filed = case_id in self._item(item_id).case_ids
            said = f"with related cases {relation_id}: {reason}"
            out.append(
                self._record(
                    by,
                    "link.reject" if filed or verb == "reject" else "link.accept",
                    {
                        "suggestion_id": suggestion_id,
                        "reason": f"{item_id} is already filed under {case_id}" if filed else said,
                        "occurred_at": occurred_at,
                    },
                    [f"item:{item_id}", f"case:{case_id}"],
                )
            )
        return out
