"""What every custody command shares: the transaction, the acting user's key, the checks
of who may act, and the one path by which an event is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from ..domain import events as ev
from ..domain import rules
from ..domain.errors import RefusedError
from ..domain.vocabulary import UserRole
from ..ledger._ed25519 import Signer
from ..ledger.entry import Entry, format_time
from ..ledger.errors import EntryError
from ..store import custody_queries as q
from ..store.custody_tables import case_file

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


def user_holder(user_id: str) -> str:
    return f"user:{user_id}"


class SessionBase:
    def __init__(self, custody: Custody, writer: Writer) -> None:
        self.custody = custody
        self.w = writer
        self.conn = writer.conn
        # Opened keys and users live only as long as the transaction, so a rolled-back
        # session can never leave behind a key or a user that the ledger does not hold.
        self._signers: dict[str, Signer] = {}
        self._users: dict[str, rules.UserState] = {}

    @property
    def whole(self) -> Session:
        """The whole session, for a command that takes a step of another area: an intake, a
        lab result or a correction is checked against the open cases again, a new party
        against the items, and linking's own user is made on its first suggestion."""
        return cast("Session", self)

    def _signer(self, user_id: str) -> Signer:
        if user_id not in self._signers:
            self._signers[user_id] = self.custody.signer(self.w, user_id)
        return self._signers[user_id]

    def _user(self, user_id: str, field: str = "by") -> rules.UserState:
        user = self._known_user(user_id)
        if user is None:
            raise RefusedError(f"{user_id!r} is not a Brady user", field)
        self._users[user_id] = user
        return user

    def _known_user(self, user_id: str) -> rules.UserState | None:
        """The user, or None; for rules that say themselves what is wrong with a missing one."""
        return self._users.get(user_id) or q.user_state(self.conn, user_id)

    def _item(self, item_id: str) -> rules.ItemState:
        state = q.item_state(self.conn, item_id)
        if state is None:
            raise RefusedError(f"there is no item {item_id!r}", "item_id")
        return state

    def _need(self, table: Any, value: str | None, field: str, what: str) -> None:
        if value is not None and not q.exists(self.conn, table, value):
            raise RefusedError(f"there is no {what} {value!r}", field)

    def _record(self, by: str, kind: str, data: dict[str, Any], subjects: list[str]) -> Entry:
        payload = ev.parse_payload(kind, {k: v for k, v in data.items() if v is not None})
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

    def _role(self, by: str, roles: tuple[UserRole, ...], action: str) -> rules.UserState:
        user = self._user(by)
        if not user.has(*roles):
            allowed = ", ".join(str(r).replace("_", " ") for r in roles)
            raise RefusedError(f"{by} may not {action} (that takes a {allowed})", "by")
        return user

    def _admin(self, by: str) -> None:
        if not self._user(by).has(UserRole.ADMIN):
            raise RefusedError(f"{by} is not an administrator")

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

    def _case(self, case_id: str, open_only: bool = True) -> None:
        status = self.conn.execute(
            case_file.select()
            .with_only_columns(case_file.c.status)
            .where(case_file.c.case_id == case_id)
        ).scalar()
        if status is None:
            raise RefusedError(f"there is no case {case_id!r}", "case_id")
        if open_only and status == "closed":
            raise RefusedError(f"case {case_id} is closed", "case_id")
