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


def _by_pair(shared: list[rq.Shared]) -> dict[tuple[str, str], list[rq.Shared]]:
    pairs: dict[tuple[str, str], list[rq.Shared]] = {}
    for s in shared:
        pairs.setdefault((s.case_id, s.other_case_id), []).append(s)
    return pairs


class RelationCommands(SessionBase):
    def relate_party(self, case_id: str, person_id: str, occurred_at: str | None) -> list[Entry]:
        """A new party: every other open case they are a party of is related to this one
        through them (signed by Brady's linking service), unless it already is."""
        shared = [s for s in rq.shared_parties(self.conn, case_id) if s.person_id == person_id]
        return [e for s in shared for e in self._suggest_relation([s], occurred_at)]

    @held_to(("admin", None))
    def find_related_cases(self, by: str) -> list[Entry]:
        """Every pair of open cases sharing parties they were never related through, one
        suggestion per pair: for a record kept before Brady related cases, or imported."""
        self._admin(by)
        pairs = _by_pair(rq.shared_parties(self.conn))
        return [e for shared in pairs.values() for e in self._suggest_relation(shared, None)]

    def _suggest_relation(self, shared: list[rq.Shared], occurred_at: str | None) -> list[Entry]:
        """One suggestion for a pair of cases and the parties they share that no earlier
        relation of the pair names. While neither side is decided, a party shared later
        joins the pair's relation (the same id, recorded again with the new party); once
        one is, a party shared later is new evidence: a relation of its own."""
        cases = (shared[0].case_id, shared[0].other_case_id)
        known = rq.related_people(self.conn, cases)
        new = [s for s in shared if s.person_id not in known]
        if not new:
            return []
        relation_id = rq.undecided_relation(self.conn, cases) or rq.next_relation_id(self.conn)
        return [
            self._record(
                self._linker(),
                "relation.suggest",
                {
                    "relation_id": relation_id,
                    "case_ids": sorted(cases),
                    "person_ids": [s.person_id for s in new],
                    "reasons": [_words(s) for s in new],
                    "occurred_at": occurred_at,
                },
                [*(f"case:{c}" for c in sorted(cases)), *(f"person:{s.person_id}" for s in new)],
            )
        ]

    def relation_for(
        self, case_id: str, filed: Collection[str], people: Collection[str]
    ) -> rq.Side | None:
        """The side a suggestion resting only on these shared people follows: an accepted
        one if any (the item is linked by it), else an open one, else a rejected one (the
        suggestion is not raised). A pair never suggested is suggested now."""
        sides = rq.sides_for(self.conn, case_id, filed, people)
        covered = {(s.other_case_id, s.person_id) for s in sides}
        if not all((f, p) in covered for f in filed for p in people):  # never suggested?
            missing = [
                s
                for s in rq.shared_parties(self.conn, case_id)
                if s.other_case_id in filed and s.person_id in people
            ]
            for shared in _by_pair(missing).values():
                self._suggest_relation(shared, None)
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
                [
                    f"case:{case_id}",
                    *(f"person:{p}" for p in rq.relation_people(self.conn, relation_id)),
                ],
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
