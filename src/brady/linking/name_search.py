"""Fuzzy search of people's names in the database's own text search.

SQLite: an FTS5 table with the trigram tokenizer, kept in step with the mention
index by triggers. PostgreSQL: pg_trgm and a trigram GIN index. The database
only proposes candidates; the score is computed here, the same way on both, so
a suggestion never depends on which database an agency runs.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError

from ..store.raw_sql import fetch_all

SIMILAR = 0.6
"""Dice similarity of name trigrams at which two spellings may be the same person."""

_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS person_name_fts USING fts5("
    "key, owner_id UNINDEXED, tokenize = 'trigram')",
    "CREATE TRIGGER IF NOT EXISTS person_name_fts_add AFTER INSERT ON mention_index "
    "WHEN new.owner_kind = 'person' AND new.kind = 'person' BEGIN "
    "INSERT INTO person_name_fts (key, owner_id) VALUES (new.key, new.owner_id); END",
    "CREATE TRIGGER IF NOT EXISTS person_name_fts_remove AFTER DELETE ON mention_index "
    "WHEN old.owner_kind = 'person' AND old.kind = 'person' BEGIN "
    "DELETE FROM person_name_fts WHERE key = old.key AND owner_id = old.owner_id; END",
)
_POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # GiST, not GIN: it answers "the nearest names" (ORDER BY key <-> ? LIMIT n) by
    # walking the tree, where a GIN similarity search reads the posting list of every
    # trigram of the name, which for common first names grows with the county.
    "DROP INDEX IF EXISTS ix_mention_person_trgm",
    "CREATE INDEX IF NOT EXISTS ix_mention_person_trgm_gist ON mention_index "
    "USING gist (key gist_trgm_ops) WHERE owner_kind = 'person' AND kind = 'person'",
)


def ensure(conn: Connection) -> None:
    """Create the search index if missing, and fill it from the mention index."""
    if conn.dialect.name == "postgresql":
        for sql in _POSTGRES:
            conn.exec_driver_sql(sql)
        return
    for sql in _SQLITE:
        conn.exec_driver_sql(sql)
    (indexed,) = fetch_all(conn, "SELECT count(*) FROM person_name_fts")[0]
    if not indexed:
        conn.exec_driver_sql(
            "INSERT INTO person_name_fts (key, owner_id) SELECT key, owner_id FROM mention_index "
            "WHERE owner_kind = 'person' AND kind = 'person'"
        )


_PEOPLE = "SELECT key, owner_id FROM mention_index WHERE owner_kind = 'person' AND kind = 'person'"


def check(conn: Connection) -> list[str]:
    """What `brady verify` finds wrong with the search index, in words; [] if nothing.

    The index is the database's, so it is not rebuilt beside the other tables: instead it
    must exist with what keeps it in step, hold exactly the people's names of the mention
    index (which verify rebuilds and compares), and pass the database's own check of its
    inner structure. A person missing from it is a person linking never proposes."""
    if conn.dialect.name == "postgresql":
        found = fetch_all(
            conn,
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_mention_person_trgm_gist'",
        )[0][0]
        return [] if found else ["the name search index (ix_mention_person_trgm_gist) is missing"]
    have = {
        str(name)
        for (name,) in fetch_all(
            conn,
            "SELECT name FROM sqlite_master WHERE name IN "
            "('person_name_fts', 'person_name_fts_add', 'person_name_fts_remove')",
        )
    }
    missing = {"person_name_fts", "person_name_fts_add", "person_name_fts_remove"} - have
    if missing:
        return [f"the name search index is incomplete: {', '.join(sorted(missing))} is missing"]
    try:
        return _sqlite_problems(conn)
    except (DatabaseError, sqlite3.DatabaseError) as exc:  # through SQLAlchemy, or the driver
        return [f"the name search index is damaged: {getattr(exc, 'orig', exc)}"]


def _sqlite_problems(conn: Connection) -> list[str]:
    problems = []
    extra = fetch_all(
        conn, f"SELECT count(*) FROM (SELECT key, owner_id FROM person_name_fts EXCEPT {_PEOPLE})"
    )[0][0]
    lost = fetch_all(
        conn, f"SELECT count(*) FROM ({_PEOPLE} EXCEPT SELECT key, owner_id FROM person_name_fts)"
    )[0][0]
    counts = (
        fetch_all(conn, "SELECT count(*) FROM person_name_fts")[0][0],
        fetch_all(conn, f"SELECT count(*) FROM ({_PEOPLE})")[0][0],
    )
    if extra or lost or counts[0] != counts[1]:
        problems.append(
            f"the name search index holds {counts[0]} names where the record has {counts[1]} "
            f"({lost} missing, {extra} not in the record)"
        )
    # FTS5's own check that its inner index matches its rows; it writes nothing (and
    # raises, reported by the caller, when it finds damage).
    conn.exec_driver_sql(
        "INSERT INTO person_name_fts (person_name_fts, rank) VALUES ('integrity-check', 1)"
    )
    return problems + _answers_differ(conn)


_FRESH = (
    "CREATE VIRTUAL TABLE temp.fresh_fts USING fts5(key, owner_id UNINDEXED, tokenize = 'trigram')",
    "INSERT INTO temp.fresh_fts (rowid, key, owner_id) "
    "SELECT rowid, key, owner_id FROM main.person_name_fts",
    "CREATE VIRTUAL TABLE temp.stored_terms USING fts5vocab(main, person_name_fts, instance)",
    "CREATE VIRTUAL TABLE temp.fresh_terms USING fts5vocab(temp, fresh_fts, instance)",
)
_SAME = (
    # What the index holds: every trigram of every name, and where it occurs.
    (
        "its terms",
        "SELECT term, doc, col, offset FROM temp.stored_terms",
        "SELECT term, doc, col, offset FROM temp.fresh_terms",
    ),
    # The per-name sizes and the settings it keeps beside them.
    (
        "its name sizes",
        "SELECT id, sz FROM main.person_name_fts_docsize",
        "SELECT id, sz FROM temp.fresh_fts_docsize",
    ),
    (
        "its settings",
        "SELECT k, v FROM main.person_name_fts_config",
        "SELECT k, v FROM temp.fresh_fts_config",
    ),
)


def _answers_differ(conn: Connection) -> list[str]:
    """Whether the stored index answers any search differently from one built afresh (in
    memory, in this connection's temporary space) from the same names. FTS5's own check
    misses a changed size or a planted page; this compares what the index holds, and then
    the answer it gives for every term it knows, which is how linking reads it."""
    for sql in _FRESH:
        conn.exec_driver_sql(sql)
    try:
        problems = []
        for what, stored, fresh in _SAME:
            differ = fetch_all(
                conn,
                f"SELECT count(*) FROM (SELECT * FROM ({stored} EXCEPT {fresh}) "
                f"UNION ALL SELECT * FROM ({fresh} EXCEPT {stored}))",
            )[0][0]
            if differ:
                problems.append(f"the name search index was changed: {what} differ from the names")
        terms = [str(t) for (t,) in fetch_all(conn, "SELECT DISTINCT term FROM temp.fresh_terms")]
        for term in terms:
            query = '"' + term.replace('"', '""') + '"'
            found = [
                fetch_all(
                    conn, f"SELECT rowid FROM {s}.{t} WHERE {t} MATCH ? ORDER BY rowid", (query,)
                )
                for s, t in (("main", "person_name_fts"), ("temp", "fresh_fts"))
            ]
            if found[0] != found[1]:
                problems.append(
                    f"the name search index was changed: a search for {term!r} finds "
                    f"{len(found[0])} names where the record has {len(found[1])}"
                )
                break
        return problems
    finally:
        for table in ("fresh_terms", "stored_terms", "fresh_fts"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table}")


def reset(conn: Connection) -> None:
    """Empty the search index (before the mention index is rebuilt, which refills it)."""
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql("DROP TABLE IF EXISTS person_name_fts")
    ensure(conn)


def _pieces(word: str) -> list[str]:
    """Parts of a word of which one survives a single slip: its halves, or (for a short
    word, whose halves would be under three letters) its trigrams."""
    if len(word) >= 6:
        return [word[: len(word) // 2], word[len(word) // 2 :]]
    return [word[k : k + 3] for k in range(len(word) - 2)]


def fts_query(key: str) -> str:
    """An FTS5 query that finds names one slip of the pen away from `key`, selectively.

    A misspelt name still has one word intact and a piece of another (a half of a long
    word, a trigram of a short one), so the query asks for exactly that: for 'seth
    kenney', ("seth" AND "ken") OR ("seth" AND "ney") OR ("kenney" AND "set") OR
    ("kenney" AND "eth"). Each pair is rare, so the search stays fast with a million
    people; a bare OR of every trigram matches a large share of them, and ranking those
    is slow. A one-word name falls back to that OR.
    """
    words = [w for w in key.replace('"', " ").split() if len(w) >= 3]
    if len(words) < 2:
        grams = sorted({key[i : i + 3] for i in range(len(key) - 2)} - {""})
        return " OR ".join(f'"{g}"' for g in grams if '"' not in g)
    pairs = {
        (whole, piece)
        for i, whole in enumerate(words)
        for j, other in enumerate(words)
        if i != j
        for piece in _pieces(other)
    }
    return " OR ".join(f'("{a}" AND "{b}")' for a, b in sorted(pairs))


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    return 2 * len(ta & tb) / (len(ta) + len(tb)) if ta and tb else 0.0


FUZZY_CANDIDATES = 200
"""How many candidates the database's fuzzy search may propose when no name is one slip
away; they are scored here, so the search never has to rank a whole county."""


def fuzzy_people(conn: Connection, key: str, limit: int = 20) -> list[tuple[str, str, float]]:
    """(person_id, their name key, similarity) for names spelled like `key`, best first,
    from the database's own fuzzy search (SQLite FTS5 trigrams, PostgreSQL pg_trgm
    nearest names): for a name its caller looked up by every one-slip key (see
    linking.index.one_slip_keys) and found no one under."""
    return _best(key, _fuzzy(conn, key, limit), limit) if len(key) >= 3 else []


def _best(key: str, found: list[tuple[str, str]], limit: int) -> list[tuple[str, str, float]]:
    scored = {(str(pid), str(k)): similarity(key, str(k)) for pid, k in found}
    best = sorted(
        ((pid, k, s) for (pid, k), s in scored.items() if s >= SIMILAR),
        key=lambda t: (-t[2], t[0], t[1]),
    )
    return best[:limit]


def _fuzzy(conn: Connection, key: str, limit: int) -> list[tuple[str, str]]:
    if conn.dialect.name == "postgresql":
        rows = fetch_all(
            conn,
            "SELECT owner_id, key FROM mention_index WHERE owner_kind = 'person' "
            "AND kind = 'person' ORDER BY key <-> ? LIMIT ?",
            (key, limit),
        )
    else:
        query = fts_query(key)
        if not query:
            return []
        # No ORDER BY rank: ranking every match of a common first name is what made this
        # slow; the first candidates are scored here instead.
        rows = fetch_all(
            conn,
            "SELECT owner_id, key FROM person_name_fts WHERE person_name_fts MATCH ? LIMIT ?",
            (query, FUZZY_CANDIDATES),
        )
    return [(str(pid), str(k)) for pid, k in rows]
