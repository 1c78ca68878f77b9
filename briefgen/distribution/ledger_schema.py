"""The ledger's SQLite schema, its versions, and the upgrade of an older ledger in place."""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 3
STATUSES = ("sending", "sent", "deferred", "failed", "unknown")
TABLES = {1: ("deliveries",), 2: ("deliveries", "editions", "edition_lines"),
          3: ("deliveries", "editions", "edition_lines", "attachments")}
SCHEMA = """
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- one message, one Message-ID
    edition     TEXT NOT NULL,     -- week '-' content hash of the reader's brief
    reader      TEXT NOT NULL,     -- the address, case-folded: the reader's identity
    week        TEXT NOT NULL,     -- ISO week, e.g. 2019-W50
    address     TEXT NOT NULL,     -- the address as sent to
    name        TEXT,              -- the reader's name (NULL in rows from ledger version 1)
    themes      TEXT NOT NULL,     -- theme ids, comma-separated; '*' for every theme
    status      TEXT NOT NULL CHECK (status IN
                    ('sending', 'sent', 'deferred', 'failed', 'unknown')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    message_id  TEXT NOT NULL UNIQUE,
    corrected   INTEGER NOT NULL DEFAULT 0,  -- 1: sent as a corrected edition
    replaces    TEXT,              -- Message-ID of the message this one corrects
    sent_seq    INTEGER,           -- order of acceptance: the reader's latest copy has the max
    updated     TEXT NOT NULL,     -- UTC time of the last change (ISO 8601)
    error       TEXT               -- last SMTP or connection error, if any (escaped)
);
CREATE INDEX deliveries_by_week ON deliveries (week, reader);
CREATE INDEX deliveries_by_seq ON deliveries (sent_seq);  -- MAX(sent_seq) per message sent
CREATE TABLE editions (
    edition     TEXT PRIMARY KEY,
    week        TEXT NOT NULL,
    title       TEXT NOT NULL,
    themes      TEXT NOT NULL,
    issued      TEXT               -- its date of issue, YYYY-MM-DD (NULL before version 3)
);
CREATE TABLE edition_lines (       -- what an edition printed, by fact or judgment id
    edition     TEXT NOT NULL,
    item        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    part        TEXT,              -- the heading the line stood under (NULL before version 3)
    PRIMARY KEY (edition, item)
);
""" + """
CREATE TABLE attachments (         -- the files a message carried, archived under out/archive/
    message_id  TEXT NOT NULL,     -- deliveries.message_id
    position    INTEGER NOT NULL,
    filename    TEXT NOT NULL,     -- as attached
    sha256      TEXT NOT NULL,     -- of the exact bytes attached: the archived file's name
    size        INTEGER NOT NULL,
    PRIMARY KEY (message_id, position)
);
"""
ATTACHMENTS = SCHEMA.split("CREATE TABLE attachments")[1]
MIGRATE_1 = """
DROP INDEX IF EXISTS deliveries_by_week;
ALTER TABLE deliveries RENAME TO deliveries_v1;
""" + SCHEMA + """
INSERT INTO deliveries (edition, reader, week, address, themes, status, attempts, message_id,
                        corrected, updated, error)
    SELECT edition, reader, week, address, themes, status, attempts, message_id, corrected,
           updated, error FROM deliveries_v1 ORDER BY updated, rowid;
UPDATE deliveries SET sent_seq = id WHERE status = 'sent';
DROP TABLE deliveries_v1;
"""
MIGRATE_2 = """
ALTER TABLE editions ADD COLUMN issued TEXT;
ALTER TABLE edition_lines ADD COLUMN part TEXT;
CREATE TABLE attachments""" + ATTACHMENTS
RESTORE = ("restore it from a backup; a new ledger would send every reader this week's brief "
           "again")


def upgrade(db: sqlite3.Connection, shown: str, error: type) -> None:
    """Check the schema; bring an older ledger to this version in one transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version > SCHEMA_VERSION:
        raise error(f"{shown} was written by a newer briefgen (ledger version "
                          f"{version}); upgrade briefgen")
    if version == 0 and tables - {"sqlite_sequence"}:
        raise error(f"the ledger {shown} is not a briefgen ledger (it holds tables "
                          f"{', '.join(sorted(tables))}) (hint: {RESTORE})")
    missing = [t for t in TABLES.get(version, ()) if t not in tables]
    if missing:
        raise error(f"the ledger {shown} is damaged: version {version} but no table "
                          f"'{missing[0]}' (hint: {RESTORE})")
    if version == SCHEMA_VERSION:
        return
    script = {0: SCHEMA, 1: MIGRATE_1, 2: MIGRATE_2}[version]
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(script + f"PRAGMA user_version={SCHEMA_VERSION};"):
            db.execute(statement)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a script of simple statements (no ';' inside them) for one transaction."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
