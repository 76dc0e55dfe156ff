"""Creating and migrating a store's schema with Alembic.

`brady init` runs every migration on an empty database; `brady upgrade` runs
those a deployed ledger has not had yet. Migrations only ever add: a ledger's
bytes never change across versions. Alembic is imported only when migrating,
which keeps every other command quick to start.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

    from .sealing import MasterKey

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0020"
"""The newest migration; a test checks it against Alembic's own view of the scripts."""


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, master: MasterKey | None = None) -> tuple[str | None, str]:
    """Apply every pending migration; returns (revision before, revision after). A migration
    that seals rows already stored needs the master key (0014)."""
    from alembic import command

    before = current_revision(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        cfg.attributes["master"] = master
        command.upgrade(cfg, "head")
    return before, HEAD
