"""Is a database file one of ours? Its tables, columns and migration record against the chain.

A ledger.db that is not ours (another program's SQLite file, a copy of some other
database renamed) must never be migrated or written: ``MIGRATIONS.apply`` on it would
add our tables beside the foreign ones, and restoring it would swap a ledger for
something the program cannot read. The expected schema at every step of the chain is
built by applying the migrations to an in-memory database, so it never drifts from
``models.store.migrations``.
"""

from __future__ import annotations

import functools
import sqlite3

from models.core.errors import AppError, UnusableDatabaseError
from models.store.migrations import MIGRATIONS

MIGRATIONS_TABLE = "_sqlite_migrations"
Schema = dict[str, tuple[str, ...]]  # table -> column names in order


class ForeignDatabaseError(UnusableDatabaseError):
    """The file is a SQLite database, but not (or no longer) a ledger of this program."""

    def __init__(self, path: object, problems: list[str]):
        super().__init__(
            f"数据库文件 {path} 不是本程序的台账数据库（或已被其他程序改动），为保护数据，程序没有打开它。\n"
            + "\n".join(f"· {p}" for p in problems[:10]),
            path=path, problems=problems,
        )


class NewerDatabaseError(AppError):
    """The file was written by a newer version of the program."""


def known_migrations() -> list[str]:
    return [m.name for m in MIGRATIONS._migrations]  # type: ignore[attr-defined]


# The record sqlite_utils.Migrations keeps of applied steps, as it creates it (a test compares
# this with what sqlite_utils really makes, so an upgrade of the library cannot drift past us).
MIGRATIONS_TABLE_SQL = (
    'CREATE TABLE "_sqlite_migrations" (\n   "id" INTEGER PRIMARY KEY,\n   "migration_set" TEXT,\n'
    '   "name" TEXT,\n   "applied_at" TEXT\n)',
    'CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"\n    ON "_sqlite_migrations" ("migration_set", "name")',
)


class _Executor:
    """What a migration step uses of its database (``execute``), over a plain connection, so
    the check at every start needs no sqlite_utils (it is off the GUI's start path)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, parameters: object = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters if parameters is not None else [])


class _ExpectedDb:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def close(self) -> None:
        self.conn.close()


def _expected_db(applied: tuple[str, ...]) -> _ExpectedDb:
    """An in-memory database after exactly the steps ``applied``, built from the steps' own SQL."""
    conn = sqlite3.connect(":memory:")
    for sql in MIGRATIONS_TABLE_SQL:
        conn.execute(sql)
    steps = MIGRATIONS._migrations[: len(applied)]  # type: ignore[attr-defined]
    for step in steps:
        step.fn(_Executor(conn))
    return _ExpectedDb(conn)


@functools.lru_cache(maxsize=None)
def _expected(applied: tuple[str, ...]) -> tuple[Schema, dict[tuple[str, str], str]]:
    """Tables with their columns, and every object's SQL, after exactly ``applied`` (one
    in-memory build for both: every start asks for the two)."""
    db = _expected_db(applied)
    try:
        return read_schema(db.conn), read_objects(db.conn)
    finally:
        db.close()


def expected_schema(applied: tuple[str, ...]) -> Schema:
    """The tables and columns a database has after exactly the migrations ``applied``."""
    return _expected(applied)[0]


def expected_objects(applied: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """Every table, index, trigger and view (type, name) -> its SQL after ``applied``."""
    return _expected(applied)[1]


def read_objects(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    return {(str(t), str(n)): " ".join(str(sql or "").split()) for t, n, sql in rows if n != MIGRATIONS_TABLE}


def read_schema(conn: sqlite3.Connection) -> Schema:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: tuple(str(r[1]) for r in conn.execute(f"PRAGMA table_info([{t}])")) for t in tables}


def applied_migrations(conn: sqlite3.Connection) -> list[str] | None:
    """Our migrations recorded in the file, in order; None when there is no record table."""
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]).fetchone()
    if not has:
        return None
    return [str(r[0]) for r in conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", [MIGRATIONS.name])]


def schema_problems(conn: sqlite3.Connection, *, complete: bool = False) -> list[str]:
    """Chinese problems when the database is not ours at some step of the chain.

    An empty database (no tables) is fine: it is a new ledger. ``complete`` also
    requires every migration of this program to be applied (a candidate for restore,
    after it was migrated on its copy).
    Raises :class:`NewerDatabaseError` for a file of a newer program.
    """
    schema = read_schema(conn)
    if not schema:
        return ["数据库是空的，没有任何台账表"] if complete else []
    applied = applied_migrations(conn)
    if applied is None:
        return ["缺少本程序的版本记录（_sqlite_migrations 表）"]
    known = known_migrations()
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise NewerDatabaseError(f"该数据库由更新版本的程序创建（含 {unknown[0]}），请先升级本程序。")
    if applied != known[: len(applied)]:
        return ["版本记录与本程序的升级顺序不符：" + "、".join(applied)]
    if complete and len(applied) != len(known):
        return [f"数据库尚未升级到本程序的版本（缺少 {known[len(applied)]}）"]
    expected = expected_schema(tuple(applied))
    problems = []
    for table, columns in expected.items():
        if table not in schema:
            problems.append(f"缺少数据表 {table}")
        elif schema[table] != columns:
            missing = [c for c in columns if c not in schema[table]]
            extra = [c for c in schema[table] if c not in columns]
            detail = (f"缺少列 {'、'.join(missing)}" if missing else "") + (
                f"{'，' if missing else ''}多出列 {'、'.join(extra)}" if extra else "") or "列的顺序不同"
            problems.append(f"数据表 {table} 的结构不符：{detail}")
    for table in schema:
        if table not in expected:
            problems.append(f"多出未知的数据表 {table}")
    if problems:
        return problems
    # Same tables and columns; also the same constraints, indexes and no triggers or views
    # of its own (a trigger would run on the program's own writes).
    labels = {"table": "数据表", "index": "索引", "trigger": "触发器", "view": "视图"}
    objects, wanted = read_objects(conn), expected_objects(tuple(applied))
    for key, sql in objects.items():
        if key not in wanted:
            problems.append(f"多出未知的{labels.get(key[0], key[0])} {key[1]}")
        elif wanted[key] != sql:
            problems.append(f"{labels.get(key[0], key[0])} {key[1]} 的定义与本程序不符")
    for key in wanted:
        if key not in objects:
            problems.append(f"缺少{labels.get(key[0], key[0])} {key[1]}")
    return problems
