"""The send ledger (SQLite): one row per message (one Message-ID), written around each SMTP
transaction; the lines of every edition sent, for corrections and `briefgen impact`; and the
SHA-256 of every file a message carried, kept byte for byte in the archive (archive.py).

A row goes to 'sending' (attempts + 1) before the message is handed to the server and to 'sent'
only once the server has accepted it, each step committed. A run killed in between leaves
'sending': the next run sends that message again with the same Message-ID. A message whose
fate is unknown (the connection dropped, or the run was interrupted, after the whole message
went out and before the server's reply) is recorded 'unknown' and never sent again unless asked
(`send --retry-unknown`), again with the same Message-ID so that mail systems can drop a copy.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from briefgen.distribution.ledger_schema import (RESTORE, SCHEMA_VERSION,  # noqa: F401
                                                 STATUSES, upgrade)
from briefgen.errors import BriefgenError, display_path

FIELDS = ("id, edition, reader, week, address, name, themes, status, attempts, message_id, "
          "corrected, replaces, sent_seq, updated, error")
BUSY_MS = 10_000  # how long to wait for another program's write before giving up


@dataclass(frozen=True)
class Row:
    id: int
    edition: str
    reader: str
    week: str
    address: str
    name: str | None
    themes: str
    status: str
    attempts: int
    message_id: str
    corrected: bool
    replaces: str | None
    sent_seq: int | None
    updated: str
    error: str | None


@dataclass(frozen=True)
class Attachment:
    """A file a message carried, as the ledger records it (archived under out/archive/)."""

    message_id: str
    position: int
    filename: str
    sha256: str
    size: int


class LedgerError(BriefgenError):
    """The ledger cannot be read or written; the file is left as it was."""


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Ledger:
    """Open with `Ledger.open(path)`; `readonly` never creates, changes or locks the file
    (an older ledger is migrated in memory for reading)."""

    def __init__(self, path: Path, db: sqlite3.Connection, lock=None):
        self.path, self.db, self._lock = path, db, lock

    @staticmethod
    def exists(path: Path) -> bool:
        """Whether there is a ledger at `path` (none: no edition was sent from here); a folder,
        pipe or link to nothing there is a LedgerError, never taken for "nothing sent"."""
        path = Path(path)
        if path.is_file():
            return True
        if not (path.exists() or path.is_symlink()):
            return False
        what = "a folder" if path.is_dir() else "a link to nothing" if not path.exists() \
            else "not a regular file (a pipe, socket or device)"
        raise LedgerError(f"the ledger {display_path(path)} is {what}, not the file briefgen "
                          f"records sent messages in (hint: put the ledger back there, or "
                          f"{RESTORE})")

    @classmethod
    def open(cls, path: Path, readonly: bool = False) -> Ledger:
        path = Path(path)
        lock = db = None
        shown = display_path(path)
        if not readonly:
            cls.exists(path)
        try:
            if readonly:
                disk = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
                db = sqlite3.connect(":memory:", isolation_level=None)
                with disk:
                    disk.execute(f"PRAGMA busy_timeout={BUSY_MS}")
                    disk.backup(db)  # a snapshot: migrating it cannot touch the file
                disk.close()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                lock = _lock(path)
                db = sqlite3.connect(path, isolation_level=None)
                db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
                db.execute("PRAGMA journal_mode=WAL")
                # Durable against a killed process; a power cut could at worst forget a 'sent'
                # mark, which means a recognisable duplicate, never a lost message.
                db.execute("PRAGMA synchronous=NORMAL")
            upgrade(db, shown, LedgerError)
        except LedgerError:
            _close(db, lock)
            raise
        except sqlite3.OperationalError as e:
            _close(db, lock)
            if "locked" in str(e) or "busy" in str(e):
                raise LedgerError(f"the ledger {shown} is locked by another program: {e} (hint: "
                                  "wait for it to finish and run again; do not move the ledger "
                                  "away, or every reader would be sent this week's brief "
                                  "again)") from None
            raise LedgerError(f"cannot use the ledger {shown}: {e}{_full(path)} (hint: "
                              + ("free some space and run again; the ledger is unchanged"
                                 if _full(path) else f"briefgen needs to read and write "
                                 f"{display_path(path.parent)}/") + ")") from None
        except sqlite3.DatabaseError as e:
            _close(db, lock)
            raise LedgerError(f"the ledger {shown} is damaged or not a briefgen ledger: {e} "
                              f"(hint: {RESTORE})") from None
        except OSError as e:
            _close(db, lock)
            raise LedgerError(f"cannot open the ledger {shown}: {e.strerror or e} (hint: "
                              f"briefgen send needs to write in {display_path(path.parent)}/)"
                              ) from None
        return cls(path, db, lock)

    def close(self) -> None:
        _close(self.db, self._lock)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------------------

    def rows(self, week: str | None = None, reader: str | None = None) -> list[Row]:
        """Rows of a week (or all), optionally of one reader, by week, reader then message."""
        where, args = [], []
        if week:
            where.append("week = ?")
            args.append(week)
        if reader:
            where.append("reader = ?")
            args.append(reader.casefold())
        sql = (f"SELECT {FIELDS} FROM deliveries" + (" WHERE " + " AND ".join(where)
                                                      if where else "")
               + " ORDER BY week, reader, id")
        return [_row(r) for r in self._read(sql, args)]

    def by_reader(self, week: str) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = {}
        for row in self.rows(week):
            out.setdefault(row.reader, []).append(row)
        return out

    def lines(self, edition: str) -> dict[str, str] | None:
        """What an edition printed, item id -> line; None when it was not recorded."""
        found = self._read("SELECT item, text FROM edition_lines WHERE edition = ? "
                           "ORDER BY position", (edition,))
        return dict(found) if found else None

    def places(self, edition: str) -> dict[str, str]:
        """Item id -> the heading its line stood under, where recorded (ledger version 3)."""
        return dict(self._read("SELECT item, part FROM edition_lines WHERE edition = ? "
                               "AND part IS NOT NULL", (edition,)))

    def issued(self, edition: str) -> date | None:
        """The date of issue of an edition, where recorded (ledger version 3)."""
        found = self._read("SELECT issued FROM editions WHERE edition = ?", (edition,))
        return date.fromisoformat(found[0][0]) if found and found[0][0] else None

    def attachments(self, message_ids: list[str] | None = None) -> list[Attachment]:
        """The files recorded for these messages (default: every message), in order."""
        rows = self._read("SELECT message_id, position, filename, sha256, size FROM "
                          "attachments ORDER BY message_id, position")
        wanted = None if message_ids is None else set(message_ids)
        return [Attachment(*r) for r in rows if wanted is None or r[0] in wanted]

    def editions_with(self, items: set[str]) -> dict[str, set[str]]:
        """Edition -> those of `items` it printed."""
        out: dict[str, set[str]] = {}
        for edition, item in self._read("SELECT edition, item FROM edition_lines"):
            if item in items:
                out.setdefault(edition, set()).add(item)
        return out

    def editions(self) -> dict[str, tuple[str, str]]:
        """Edition -> (week, title) of every edition recorded."""
        return {r[0]: (r[1], r[2]) for r in self._read("SELECT edition, week, title "
                                                         "FROM editions")}

    def _read(self, sql: str, args=()) -> list[tuple]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as e:
            raise LedgerError(f"cannot read the ledger {display_path(self.path)}: {e} "
                              f"(hint: {RESTORE})") from None

    # --- writing ------------------------------------------------------------------------------

    @contextmanager
    def _tx(self):
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass
            said = "" if "full" in str(e) else _full(self.path)
            raise LedgerError(f"cannot record in the ledger {display_path(self.path)}: {e}"
                              f"{said}") from None

    def record_edition(self, edition: str, week: str, title: str, themes: str,
                       lines: dict[str, str], issued: date | None = None,
                       places: dict[str, str] | None = None) -> None:
        """What an edition prints (and under which heading), once, before its first message
        goes out."""
        places = places or {}
        with self._tx():
            if self.db.execute("SELECT 1 FROM editions WHERE edition = ?", (edition,)).fetchone():
                return
            self.db.execute("INSERT INTO editions VALUES (?, ?, ?, ?, ?)",
                            (edition, week, title, themes, issued and issued.isoformat()))
            self.db.executemany("INSERT INTO edition_lines VALUES (?, ?, ?, ?, ?)",
                                [(edition, item, n, text, places.get(item))
                                 for n, (item, text) in enumerate(lines.items())])

    def begin(self, row: int | None, *, edition: str, reader: str, week: str, address: str,
              name: str, themes: str, message_id: str, corrected: bool,
              replaces: str | None, files: list[tuple[str, str, int]] = ()) -> int:
        """Before handing the message to the server: status 'sending', one more attempt, and
        the files it carries (name, SHA-256, size: archived before this).

        `row` is the message being resumed, or None for a new message; returns its row id.
        """
        with self._tx():
            self.db.execute("DELETE FROM attachments WHERE message_id = ?", (message_id,))
            self.db.executemany("INSERT INTO attachments VALUES (?, ?, ?, ?, ?)",
                                [(message_id, n, name, sha256, size)
                                 for n, (name, sha256, size) in enumerate(files)])
            if row is None:
                cur = self.db.execute(
                    "INSERT INTO deliveries (edition, reader, week, address, name, themes, "
                    "status, attempts, message_id, corrected, replaces, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'sending', 1, ?, ?, ?, ?)",
                    (edition, reader, week, address, name, themes, message_id,
                     int(corrected), replaces, now()))
                return cur.lastrowid
            self.db.execute("UPDATE deliveries SET status = 'sending', attempts = attempts + 1, "
                            "address = ?, name = ?, updated = ? WHERE id = ?",
                            (address, name, now(), row))
            return row

    def finish(self, row: int, status: str, error: str | None = None) -> None:
        """After the server answered: 'sent' (accepted), 'deferred', 'failed' or 'unknown'."""
        assert status in STATUSES
        with self._tx():
            seq = None
            if status == "sent":
                seq = self.db.execute("SELECT COALESCE(MAX(sent_seq), 0) + 1 "
                                      "FROM deliveries").fetchone()[0]
            self.db.execute("UPDATE deliveries SET status = ?, error = ?, updated = ?, "
                            "sent_seq = COALESCE(?, sent_seq) WHERE id = ?",
                            (status, error, now(), seq, row))


def _full(path: Path) -> str:
    """', the disk holding out/ is full' when it is (SQLite may only say 'disk I/O error')."""
    import shutil

    try:
        full = shutil.disk_usage(path.parent).free < 64 * 1024
    except OSError:
        return ""
    return f"; the disk holding {display_path(path.parent)}/ is full" if full else ""


def _row(r: tuple) -> Row:
    return Row(*r[:10], bool(r[10]), *r[11:])


def _close(db, lock) -> None:
    if db is not None:
        db.close()
    if lock is not None:
        lock.close()


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
        raise LedgerError(f"another 'briefgen send' is using {display_path(path)}; wait for it "
                          f"to finish (lock: {display_path(lock_path)})") from None
    return handle
