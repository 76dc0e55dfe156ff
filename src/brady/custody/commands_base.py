"""What every custody command shares: the transaction, the acting user's key, the checks
of who may act, and the one path by which an event is recorded."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from ..access import decide
from ..access.policy import Caller
from ..domain import events as ev
from ..domain import rules
from ..domain.errors import NotAllowedError, NotFoundError, RefusedError
from ..domain.vocabulary import UserRole
from ..ledger.ed25519 import Signer
from ..ledger.entry import Entry, format_time
from ..ledger.errors import EntryError
from ..linking.foresight import Foresight
from ..store import custody_queries as q
from ..store import keys
from ..store.access_queries import RecordFacts
from ..store.keys import ACTOR

if TYPE_CHECKING:
    from ..store.ledger_store import Writer
    from .service import Custody, Session


CLOCK_SKEW = timedelta(minutes=5)

R = UserRole
STAFF = (R.PROPERTY_CLERK, R.OFFICER, R.SUPERVISOR, R.LAB_ANALYST, R.PROSECUTOR)
CASEWORK = (R.PROPERTY_CLERK, R.OFFICER, R.SUPERVISOR, R.PROSECUTOR)
CHARGING = (R.PROSECUTOR,)
PLACES = (R.PROPERTY_CLERK, R.SUPERVISOR)
FILES = (R.PROPERTY_CLERK, R.OFFICER, R.SUPERVISOR, R.LAB_ANALYST)
LAB_REQUESTERS = (R.PROPERTY_CLERK, R.OFFICER, R.SUPERVISOR, R.PROSECUTOR)
LAB = (R.LAB_ANALYST,)
CLOSING = (R.PROSECUTOR, R.SUPERVISOR)
REVIEWERS = (R.PROSECUTOR,)
LINKER = "brady-linker"


P = ParamSpec("P")
T = TypeVar("T")


def held_to(*rules: tuple[str, str | None]) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Declare the access rule a command is held to, and on which of its arguments: with a
    caller in the session (API, pages, `brady --as`), it is checked before the command reads
    the record, so a refusal never tells what the record holds. Each event the command then
    records is decided again (`access.decide.refusal`) in `_record`.

    `("item", "item_id")` acts on the item its `item_id` names; `("record", None)` needs only
    the caller's role. An argument may be a list of ids (an intake's cases)."""

    def wrap(command: Callable[P, T]) -> Callable[P, T]:
        signature = inspect.signature(command)

        @functools.wraps(command)
        def checked(*args: P.args, **kwargs: P.kwargs) -> T:
            bound = signature.bind(*args, **kwargs)
            owner = bound.arguments["self"]
            session = owner if isinstance(owner, SessionBase) else owner.s
            session.held_to(rules, bound.arguments)
            return command(*args, **kwargs)

        return checked

    return wrap


def user_holder(user_id: str) -> str:
    return f"user:{user_id}"


class SessionBase:
    def __init__(self, custody: Custody, writer: Writer, caller: Caller | None = None) -> None:
        self.custody = custody
        self.w = writer
        self.conn = writer.conn
        # Who gave the commands, when a face knows (API, pages, `brady --as`): every event is
        # then held to `access.decide` here, in the transaction that writes it. None is the
        # operator's own session (imports, the demo, administration on the server itself).
        self.caller = caller
        # Opened keys and users live only as long as the transaction, so a rolled-back
        # session can never leave behind a key or a user that the ledger does not hold.
        self._signers: dict[str, Signer] = {}
        self._users: dict[str, rules.UserState] = {}
        # A user's newest key as read with the user, and the ledger size then: opened by the
        # first step the user signs if nothing was appended since (see `_known_user`).
        self._key_rows: dict[str, tuple[int, list[tuple[Any, ...]]]] = {}
        self._facts: tuple[int, RecordFacts] | None = None  # read at this ledger size
        # What is done outside the database once the transaction has committed (lifting an
        # evidence store's legal hold after a disposition): never for a rolled-back session.
        self.after_commit: list[Callable[[], None]] = []
        # The link suggestions each intake of the session recorded, by item: what the face
        # that took the item in tells its user, without asking the database again.
        self.suggested: dict[str, list[Entry]] = {}
        # The next intake's suggestions as read before the lock (`Custody.foresee_intake`).
        self.foreseen: Foresight | None = None

    @property
    def whole(self) -> Session:
        """The whole session, for a command that takes a step of another area: an intake, a
        lab result or a correction is checked against the open cases again, a new party
        against the items, and linking's own user is made on its first suggestion."""
        return cast("Session", self)

    def _signer(self, user_id: str) -> Signer:
        if user_id not in self._signers:
            read = self._key_rows.pop(user_id, None)
            master = self.custody.led.master
            if read is not None and read[0] == self.w.size and read[1] and master is not None:
                self._signers[user_id] = keys.open_role(
                    master, read[1], ACTOR, user_holder(user_id)
                )
            else:  # not read with the user, none then, or something recorded since
                self._signers[user_id] = self.custody.signer(self.w, user_id)
        return self._signers[user_id]

    def _user(self, user_id: str, field: str = "by") -> rules.UserState:
        user = self._known_user(user_id)
        if user is None:
            raise NotFoundError(f"{user_id!r} is not a Brady user", field)
        self._users[user_id] = user
        return user

    def _known_user(self, user_id: str) -> rules.UserState | None:
        """The user, or None; for rules that say themselves what is wrong with a missing one.
        A session that may sign reads the user's newest key in the same round trip: the user
        who gives a command signs it, and on PostgreSQL every trip under the ledger's lock
        keeps the other writers waiting."""
        if user_id in self._users:
            return self._users[user_id]
        if self.custody.led.master is None or user_id in self._signers:
            return q.user_state(self.conn, user_id)
        user, key = q.user_and_key(self.conn, user_id, keys.role_query(ACTOR, user_holder(user_id)))
        self._key_rows[user_id] = (self.w.size, key)
        return user

    def _linker(self) -> str:
        """Brady's linking service, which signs suggestions (made on first use)."""
        if self._known_user(LINKER) is None:
            self.whole.add_user(None, LINKER, "Brady linking service", ["linker"])
        return LINKER

    def _item(self, item_id: str) -> rules.ItemState:
        state = q.item_state(self.conn, item_id)
        if state is None:
            raise NotFoundError(f"there is no item {item_id!r}", "item_id")
        return state

    def _need(self, table: Any, value: str | None, field: str, what: str) -> None:
        if value is not None and not q.exists(self.conn, table, value):
            raise NotFoundError(f"there is no {what} {value!r}", field)

    def _record(self, by: str, kind: str, data: dict[str, Any], subjects: list[str]) -> Entry:
        payload = ev.parse_payload(kind, {k: v for k, v in data.items() if v is not None})
        self._may_record(by, kind, data, subjects)
        occurred = getattr(payload, "occurred_at", None)
        if occurred is not None and occurred > format_time(datetime.now(UTC) + CLOCK_SKEW):
            raise RefusedError(f"occurred_at {occurred} is in the future", "occurred_at")
        item_id = getattr(payload, "item_id", None)
        if occurred is not None and item_id is not None:
            latest = q.latest_event_time(self.conn, item_id)
            if latest is not None and occurred < latest:
                raise RefusedError(
                    f"occurred_at {occurred} is before {item_id}'s last recorded step "
                    f"({latest}); steps of an item are recorded in the order they happened",
                    "occurred_at",
                )
        signer = self._signer(by)
        try:
            (entry,) = self.w.append(signer, [ev.to_event(payload, subjects)])
        except EntryError as exc:
            raise RefusedError(str(exc)) from exc
        return entry

    def _record_facts(self) -> RecordFacts:
        """The access facts as the session last read them, read afresh once anything was
        appended since (by any path: a key registered, a role changed, an event)."""
        if self._facts is None or self._facts[0] != self.w.size:
            self._facts = (self.w.size, RecordFacts(self.conn))
        return self._facts[1]

    def held_to(self, rules: Sequence[tuple[str, str | None]], args: Mapping[str, Any]) -> None:
        """Refuse, before anything is read, a command the caller may not give (see `held_to`).
        The operator's own session (no caller) and Brady's own steps are not held."""
        c = self._held(args.get("by"))
        if c is None:
            return
        facts = self._record_facts()
        stated = args.get("fields") or {}  # a command that takes its payload as keywords
        for rule, name in rules:
            value = "" if name is None else args.get(name, stated.get(name))
            one = isinstance(value, str | int)
            targets = [str(value)] if one else [str(v) for v in value or []]
            why = decide.before(c, rule, targets, facts)
            if why is not None:
                raise NotAllowedError(f"{c.user_id} may not do this: {why}", "by")

    def _held(self, by: str | None) -> Caller | None:
        """The caller a step signed by `by` is held to: None for the operator's own session
        and for Brady's own steps (linking's suggestions and readings, its user)."""
        c = self.caller
        if c is None or by is None or by == LINKER:
            return None
        if by != c.user_id:
            raise NotAllowedError(f"a command given by {c.user_id} cannot be signed by {by}", "by")
        return c

    def _may_record(self, by: str, kind: str, data: dict[str, Any], subjects: list[str]) -> None:
        c = self._held(by)
        if c is None:
            return
        why = decide.refusal(c, kind, data, subjects, self._record_facts())
        if why is not None:
            raise NotAllowedError(f"{c.user_id} may not record {kind}: {why}", "by")

    def _role(self, by: str, roles: tuple[UserRole, ...], action: str) -> rules.UserState:
        user = self._user(by)
        if not user.has(*roles):
            allowed = ", ".join(str(r).replace("_", " ") for r in roles)
            raise NotAllowedError(f"{by} may not {action} (that takes a {allowed})", "by")
        return user

    def _admin(self, by: str) -> None:
        if not self._user(by).has(UserRole.ADMIN):
            raise NotAllowedError(f"{by} is not an administrator")

    def record(self, by: str, kind: str, data: dict[str, Any], subjects: list[str]) -> Entry:
        return self._record(by, kind, data, subjects)

    def require_role(self, by: str, roles: tuple[UserRole, ...], action: str) -> None:
        self._role(by, roles, action)

    def require_admin(self, by: str) -> None:
        self._admin(by)

    def require_case(self, case_id: str) -> None:
        self._case(case_id)

    def user(self, user_id: str) -> rules.UserState | None:
        return q.user_state(self.conn, user_id)

    def forget_signer(self, user_id: str) -> None:
        """After a key change: the user's next event opens their new key."""
        self._signers.pop(user_id, None)
        self._key_rows.pop(user_id, None)

    def _case(self, case_id: str, open_only: bool = True) -> None:
        self._case_as(case_id, q.case_is_open(self.conn, case_id), open_only)

    def _case_as(self, case_id: str, is_open: bool | None, open_only: bool = True) -> None:
        """Refuse a case that is not there (`is_open` None) or, if `open_only`, closed."""
        if is_open is None:
            raise NotFoundError(f"there is no case {case_id!r}", "case_id")
        if open_only and not is_open:
            raise RefusedError(f"case {case_id} is closed", "case_id")
