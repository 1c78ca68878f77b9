"""`briefgen ledger` and the ledger file itself: table, JSON, filters, migration, damage."""

from __future__ import annotations

import json
import sqlite3


from .conftest import WEEK, Mailbox, reader_lines

READERS = reader_lines(
    ("Jane Doe", "jane.doe@example.org", ["russian-motives"]),
    ("Omar Ali-Haddad al-Mansouri", "omar.ali.haddad.al-mansouri@ministry-of-foreign-affairs"
     ".example.org", ["nato-security-assistance", "migration-europe"]),
    ("Ann Lee", "ann.lee@example.org"),
)


def test_ledger_table_fits_100_columns_and_names_readers(cli, project, smtp):
    import re

    project.readers(READERS)
    rejection = ("550 5.1.1 <ann.lee@example.org>: Recipient address rejected: user unknown in "
                 "virtual mailbox table of this very verbose server")
    smtp(Mailbox(rcpt_replies={"ann.lee@example.org": rejection}))
    assert cli("send", "--week", WEEK)[0] == 1
    project.change_fact("met Khalifa Haftar in Benghazi", "met Khalifa Haftar in Benghazi today")
    assert cli("send", "--week", WEEK, "--resend-changed")[0] == 1  # Ann still fails
    code, out, err = cli("ledger")
    assert (code, err) == (0, "sent 3, failed 2 (5 messages)\n")
    edition = {}
    for row in json.loads(cli("ledger", "--json")[1]):
        edition.setdefault(row["edition"].rsplit("-", 1)[-1], f"E{len(edition) + 1}")
    out = re.sub(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}", "T" * 16, out)
    out = re.sub(r"\b[0-9a-f]{12}\b", lambda m: edition[m.group()], out)
    # an address of up to 38 characters never breaks; a longer one folds within its column
    assert out == f"""\
reader                                  week      status       tries  time (UTC)        edition
────────────────────────────────────────────────────────────────────────────────────────────────────
Ann Lee                                 {WEEK}  failed [1]       1  TTTTTTTTTTTTTTTT  E1
<ann.lee@example.org>
Ann Lee                                 {WEEK}  failed [2]       1  TTTTTTTTTTTTTTTT  E2
<ann.lee@example.org>
Jane Doe                                {WEEK}  sent             1  TTTTTTTTTTTTTTTT  E3
<jane.doe@example.org>
Jane Doe                                {WEEK}  sent             1  TTTTTTTTTTTTTTTT  E4
<jane.doe@example.org>                            (corrected)
Omar Ali-Haddad al-Mansouri             {WEEK}  sent             1  TTTTTTTTTTTTTTTT  E5
<omar.ali.haddad.al-mansouri@ministry-
of-foreign-affairs.example.org>
[1] 550 5.1.1 <ann.lee@example.org>: Recipient address rejected: user unknown in virtual mailbox
    table of this very verbose server
[2] 550 5.1.1 <ann.lee@example.org>: Recipient address rejected: user unknown in virtual mailbox
    table of this very verbose server
"""


def test_ledger_json_filters_by_week_and_reader(cli, project, smtp):
    project.readers(READERS)
    smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    code, out, err = cli("ledger", "--json", "--reader", "JANE.DOE@example.org")
    assert (code, err) == (0, "")
    (row,) = json.loads(out)
    assert {k: row[k] for k in ("name", "address", "week", "status", "attempts", "corrected",
                                "themes")} == {
        "name": "Jane Doe", "address": "jane.doe@example.org", "week": WEEK, "status": "sent",
        "attempts": 1, "corrected": False, "themes": "russian-motives"}
    assert row["message_id"].startswith(f"<briefgen.{WEEK}-")
    assert len(json.loads(cli("ledger", "--json", "--week", WEEK)[1])) == 3
    assert cli("ledger", "--json", "--week", "2019-W51") == (0, "[]\n", "")
    assert cli("ledger", "--week", "2019-W51") == (
        0, "", "nothing recorded for 2019-W51 in out/ledger.sqlite\n")


def test_ledger_without_a_ledger(cli, project, monkeypatch, tmp_path_factory):
    """A desk that has sent nothing says so; outside a desk no ledger is an error, since
    'nothing recorded' would read as 'nothing was sent'."""
    nothing = ("nothing sent yet from this desk (out/ledger.sqlite is made by the first send "
               "that is not a dry run)\n")
    assert cli("ledger") == (0, "", nothing)
    assert cli("ledger", "--json") == (0, "[]\n", "")
    message = ("error: no ledger at out/ledger.sqlite (hint: run in the desk folder, or pass "
               "--out DIR; the first send that is not a dry run creates it)\n")
    assert cli("send", "--status", "--week", WEEK) == (0, "", nothing)
    monkeypatch.chdir(project.facts)  # inside the desk's facts/: still the desk's ledger
    assert cli("ledger") == (0, "", nothing.replace("(out/", "(../out/"))
    monkeypatch.chdir(tmp_path_factory.mktemp("nowhere"))  # no desk here
    assert cli("ledger") == (1, "", message)
    assert not project.ledger.exists() and not (project.facts / "out").exists()


V1 = """
CREATE TABLE deliveries (
    edition TEXT NOT NULL, reader TEXT NOT NULL, week TEXT NOT NULL, address TEXT NOT NULL,
    themes TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'deferred', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0, message_id TEXT NOT NULL,
    corrected INTEGER NOT NULL DEFAULT 0, updated TEXT NOT NULL, error TEXT,
    PRIMARY KEY (edition, reader));
CREATE INDEX deliveries_by_week ON deliveries (week, reader);
PRAGMA user_version=1;
"""


def v1_ledger(project, rows):
    project.out.mkdir(exist_ok=True)
    with sqlite3.connect(project.ledger) as db:
        db.executescript(V1)
        db.executemany("INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.close()


def test_a_version_1_ledger_is_read_as_is_and_migrated_by_send_without_losing_rows(cli, project,
                                                                                    smtp):
    """A ledger from before: `ledger` reads it without changing it; `send` migrates it, keeps
    every row, and knows who already has the current edition."""
    from briefgen.distribution.message import content_hash  # noqa: F401

    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org", ["russian-motives"])))
    server = smtp()
    # Find the current edition id with a dry run, then pretend an old briefgen sent it.
    assert cli("send", "--week", WEEK, "--dry-run")[0] == 0
    eml = (project.out / "outbox" / WEEK / "jane.doe@example.org.eml").read_bytes()
    edition = eml.split(b"X-Briefgen-Edition: ")[1].split(b"\r\n")[0].decode()
    msgid = eml.split(b"Message-ID: ")[1].split(b"\r\n")[0].decode()
    v1_ledger(project, [
        (edition, "jane.doe@example.org", WEEK, "jane.doe@example.org", "russian-motives",
         "sent", 1, msgid, 0, "2019-12-16T08:00:00Z", None),
        ("2019-W49-000000000000", "old@example.org", "2019-W49", "old@example.org", "*",
         "failed", 2, "<x@example.org>", 0, "2019-12-09T08:00:00Z", "550 no")])
    before = project.ledger.read_bytes()
    code, out, _ = cli("ledger", "--json")
    assert code == 0 and len(json.loads(out)) == 2
    impact = cli("impact", "wire-2019-12-14")
    assert impact[0] == 0 and impact[1].endswith(
        "editions sent: none (no edition in out/ledger.sqlite printed them)\n")
    assert project.ledger.read_bytes() == before  # reading never migrates the file

    assert cli("send", "--week", WEEK) == (0, "", "sent 0, already sent 1 (of 1 reader)\n")
    assert server.received == []
    with sqlite3.connect(project.ledger) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (3,)
        assert db.execute("SELECT reader, status, attempts, sent_seq, error FROM deliveries "
                          "ORDER BY id").fetchall() == [
            ("old@example.org", "failed", 2, None, "550 no"),
            ("jane.doe@example.org", "sent", 1, 2, None)]
    db.close()


def test_a_version_2_ledger_is_upgraded_keeping_rows_and_lines(cli, project, smtp):
    """Version 2 (no dates of issue, no headings, no archive): `send` upgrades it in place,
    keeps every row and line, and a correction of an edition it recorded still lists the
    changed line and says when the replaced copy was sent (from its row)."""
    from briefgen.distribution.ledger_schema import SCHEMA_VERSION, TABLES

    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org", ["russian-motives"])))
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    with sqlite3.connect(project.ledger) as db:  # back to version 2, as an older briefgen left it
        db.executescript("DROP TABLE attachments; ALTER TABLE editions DROP COLUMN issued; "
                         "ALTER TABLE edition_lines DROP COLUMN part; PRAGMA user_version=2;")
        lines = db.execute("SELECT edition, item, text FROM edition_lines").fetchall()
        db.execute("UPDATE deliveries SET updated = '2019-12-16T08:00:00Z'")
    db.close()
    assert (SCHEMA_VERSION, TABLES[2]) == (3, ("deliveries", "editions", "edition_lines"))
    project.change_fact("met Khalifa Haftar in Benghazi", "met Khalifa Haftar in Benghazi today")
    assert cli("send", "--week", WEEK, "--resend-changed") == (
        0, "", "sent 1 (of 1 reader)\n")
    with sqlite3.connect(project.ledger) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (3,)
        assert db.execute("SELECT status FROM deliveries ORDER BY id").fetchall() == [
            ("sent",), ("sent",)]
        kept = db.execute("SELECT edition, item, text FROM edition_lines WHERE part IS NULL"
                          ).fetchall()
        assert kept == lines  # the old edition's lines, without their headings
        assert db.execute("SELECT COUNT(*) FROM attachments").fetchone() == (1,)
    db.close()
    text = server.received[1].message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Corrected edition — replaces the edition sent on 16 December 2019." in text
    assert "  - Changed: 10 December — A Russian envoy met Khalifa Haftar in Benghazi today" in text


def test_a_corrupt_ledger_is_refused_named_and_left_alone(cli, project, smtp):
    project.readers(READERS)
    server = smtp()
    project.out.mkdir()
    project.ledger.write_bytes(b"this is not a database, but somebody's notes\n" * 100)
    before = project.ledger.read_bytes()
    message = ("error: the ledger out/ledger.sqlite is damaged or not a briefgen ledger: file "
               "is not a database (hint: restore it from a backup; a new ledger would send "
               "every reader this week's brief again)\n")
    assert cli("send", "--week", WEEK) == (1, "", message)
    assert cli("ledger") == (1, "", message)
    assert cli("impact", "wire-2019-12-14") == (1, "", message)
    assert project.ledger.read_bytes() == before
    assert server.received == []


def test_a_ledger_with_a_version_but_no_table_is_refused(cli, project, smtp):
    project.readers(READERS)
    server = smtp()
    project.out.mkdir()
    with sqlite3.connect(project.ledger) as db:
        db.execute("PRAGMA user_version=2")
    db.close()
    message = ("error: the ledger out/ledger.sqlite is damaged: version 2 but no table "
               "'deliveries' (hint: restore it from a backup; a new ledger would send every "
               "reader this week's brief again)\n")
    assert cli("send", "--week", WEEK) == (1, "", message)
    assert cli("ledger") == (1, "", message)
    assert server.received == []


def test_a_ledger_locked_by_another_program_says_wait_not_move(cli, project, smtp, monkeypatch):
    """SQLite's own lock (another program writing), not briefgen's lock file."""
    project.readers(READERS)
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    monkeypatch.setattr("briefgen.distribution.ledger.BUSY_MS", 50)
    holder = sqlite3.connect(project.ledger, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, out, err = cli("send", "--week", WEEK)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (code, out) == (1, "")
    assert err == ("error: the ledger out/ledger.sqlite is locked by another program: database "
                   "is locked (hint: wait for it to finish and run again; do not move the ledger "
                   "away, or every reader would be sent this week's brief again)\n")
    assert len(server.received) == 3
