"""The send ledger (SQLite): one row per (edition, reader), written around each SMTP transaction.

A row goes to 'sending' (attempts + 1) before the message is handed to the server and to 'sent'
only once the server has accepted it, each step committed. A run killed in between leaves
'sending': the next run sends that message again with the same Message-ID, so the rare duplicate
(server accepted, we died before recording it) is recognisable; no message is ever lost.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from briefgen.errors import BriefgenError, display_path

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    edition     TEXT NOT NULL,     -- week '-' content hash of the reader's brief
    reader      TEXT NOT NULL,     -- the address, case-folded: the reader's identity
    week        TEXT NOT NULL,     -- ISO week, e.g. 2019-W50
    address     TEXT NOT NULL,     -- the address as sent to
    themes      TEXT NOT NULL,     -- theme ids, comma-separated; '*' for every theme
    status      TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'deferred', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    message_id  TEXT NOT NULL,
    corrected   INTEGER NOT NULL DEFAULT 0,  -- 1: sent as a corrected edition
    updated     TEXT NOT NULL,     -- UTC time of the last change (ISO 8601)
    error       TEXT,              -- last SMTP or connection error, if any
    PRIMARY KEY (edition, reader)
);
CREATE INDEX IF NOT EXISTS deliveries_by_week ON deliveries (week, reader);
"""
STATUSES = ("sending", "sent", "deferred", "failed")


@dataclass(frozen=True)
class Row:
    edition: str
    reader: str
    week: str
    address: str
    themes: str
    status: str
    attempts: int
    message_id: str
    corrected: bool
    updated: str
    error: str | None


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Ledger:
    """Open with `Ledger.open(path)`; `readonly` never creates the file or takes the lock."""

    def __init__(self, path: Path, db: sqlite3.Connection, lock=None):
        self.path, self.db, self._lock = path, db, lock

    @classmethod
    def open(cls, path: Path, readonly: bool = False) -> Ledger:
        path = Path(path)
        lock = None
        try:
            if readonly:
                db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                lock = _lock(path)
                db = sqlite3.connect(path, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                # Durable against a killed process; a power cut could at worst forget a 'sent'
                # mark, which means a recognisable duplicate, never a lost message.
                db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=10000")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise BriefgenError(f"{display_path(path)} was written by a newer briefgen "
                                    f"(ledger version {version}); upgrade briefgen")
            if not readonly and version < SCHEMA_VERSION:
                db.executescript(SCHEMA + f"PRAGMA user_version={SCHEMA_VERSION};")
        except sqlite3.DatabaseError as e:
            if lock:
                lock.close()
            raise BriefgenError(f"cannot use the ledger {display_path(path)}: {e} (hint: it must "
                                "be a briefgen ledger; move it away to start a new one)") from None
        return cls(path, db, lock)

    def close(self) -> None:
        self.db.close()
        if self._lock:
            self._lock.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def rows(self, week: str) -> list[Row]:
        """Every row of a week, by reader then time."""
        try:
            cur = self.db.execute(
                "SELECT edition, reader, week, address, themes, status, attempts, message_id, "
                "corrected, updated, error FROM deliveries WHERE week = ? "
                "ORDER BY reader, updated, edition", (week,))
        except sqlite3.OperationalError:  # a read-only look at a ledger never written to
            return []
        return [Row(*r[:8], bool(r[8]), *r[9:]) for r in cur.fetchall()]

    def by_reader(self, week: str) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = {}
        for row in self.rows(week):
            out.setdefault(row.reader, []).append(row)
        return out

    @contextmanager
    def _tx(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def begin(self, *, edition: str, reader: str, week: str, address: str, themes: str,
              message_id: str, corrected: bool) -> None:
        """Before handing the message to the server: status 'sending', one more attempt."""
        with self._tx():
            self.db.execute(
                "INSERT INTO deliveries (edition, reader, week, address, themes, status, "
                "attempts, message_id, corrected, updated, error) "
                "VALUES (?, ?, ?, ?, ?, 'sending', 1, ?, ?, ?, NULL) "
                "ON CONFLICT (edition, reader) DO UPDATE SET status = 'sending', "
                "attempts = attempts + 1, address = excluded.address, "
                "themes = excluded.themes, corrected = excluded.corrected, "
                "updated = excluded.updated",
                (edition, reader, week, address, themes, message_id, int(corrected), now()))

    def finish(self, edition: str, reader: str, status: str, error: str | None = None) -> None:
        """After the server answered: 'sent' (accepted), 'deferred' or 'failed'."""
        assert status in STATUSES
        with self._tx():
            self.db.execute("UPDATE deliveries SET status = ?, error = ?, updated = ? "
                            "WHERE edition = ? AND reader = ?",
                            (status, error, now(), edition, reader))


def _lock(path: Path):
    """An exclusive lock next to the ledger, so two runs never send the same messages."""
    lock_path = path.with_name(path.name + ".lock")
    handle = open(lock_path, "a+")
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, but SQLite still keeps each row consistent
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise BriefgenError(f"another 'briefgen send' is using {display_path(path)}; wait for it "
                            f"to finish (lock: {display_path(lock_path)})") from None
    return handle


def print_status(path: Path, week: str) -> None:
    """`send --status`: the ledger rows of a week as a table on stdout, counts on stderr."""
    import sys
    from collections import Counter

    from rich.console import Console
    from rich.table import Table

    rows: list[Row] = []
    if path.is_file():
        with Ledger.open(path, readonly=True) as ledger:
            rows = ledger.rows(week)
    if not rows:
        print(f"nothing recorded for {week} in {display_path(path)}", file=sys.stderr)
        return
    table = Table(title=f"briefgen send ledger: {week}", title_justify="left")
    for name in ("reader", "themes", "edition", "status", "attempts", "message id",
                 "time (UTC)", "error"):
        table.add_column(name, justify="right" if name == "attempts" else "left",
                         overflow="fold")
    for r in rows:
        status = r.status + (" (corrected)" if r.corrected else "")
        table.add_row(r.address, r.themes, r.edition, status, str(r.attempts), r.message_id,
                      r.updated, r.error or "")
    # In a terminal, fit it; in a pipe or file, never fold a cell (grep, diff, sort work).
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 10_000)
    console.print(table)
    counts = Counter(r.status for r in rows)
    print(", ".join(f"{k} {counts[k]}" for k in ("sent", "sending", "deferred", "failed")
                    if counts[k]) + f" ({len(rows)} rows)", file=sys.stderr)
