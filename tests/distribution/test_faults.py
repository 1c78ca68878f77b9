"""Hardening of `send` against a scripted SMTP server and a hostile environment: ambiguous
deliveries, interrupts, UTF-8 credentials, bad settings, escapes in replies, full disks."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, WEEK, Mailbox, reader_lines
from .test_smtp import Logins

READERS = reader_lines(
    ("Jane Doe", "jane.doe@example.org", ["russian-motives"]),
    ("Omar Ali", "omar.ali@example.org", ["nato-security-assistance", "migration-europe"]),
    ("Ann Lee", "ann.lee@example.org"),
)


def rows(project) -> list[tuple]:
    with sqlite3.connect(project.ledger) as db:
        found = db.execute("SELECT address, status, attempts, error FROM deliveries "
                           "ORDER BY id").fetchall()
    db.close()
    return found


def start_send(project, *args: str) -> subprocess.Popen:
    """`briefgen send` as a process of its own, for the tests that interrupt or kill it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "briefgen", "send", "--week", WEEK, *args],
                            cwd=project.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


# --- 6: ambiguous deliveries -------------------------------------------------------------------

def test_a_drop_after_data_is_unknown_never_retried_until_asked(cli, project, smtp):
    project.readers(READERS)
    server = smtp(Mailbox(drop_at={2}))
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    (ambiguous,) = [r for r in rows(project) if r[1] == "unknown"]
    assert ambiguous == ("omar.ali@example.org", "unknown", 1, "no reply after the message was "
                         f"sent: 127.0.0.1:{server.port} closed the connection")
    lines = err.splitlines()
    assert lines[0].startswith(
        "error: omar.ali@example.org: delivery unknown: no reply after the message was sent: "
        f"127.0.0.1:{server.port} closed the connection (not sent again: ask the reader, then "
        "run send --retry-unknown to resend <briefgen.")
    assert lines[1] == "sent 2, unknown 1 (of 3 readers)"
    assert server.mailbox.data_commands == 3  # no automatic retry: 3 messages, 3 DATA

    code, out, err = cli("send", "--week", WEEK)
    assert code == 1
    assert err.splitlines()[-1] == "sent 0, already sent 2, unknown 1 (of 3 readers)"
    assert "use --retry-unknown" not in err and "send --retry-unknown to resend it" in err
    assert server.mailbox.data_commands == 3

    assert cli("send", "--week", WEEK, "--retry-unknown") == (
        0, "", "sent 1, already sent 2 (of 3 readers)\n")
    (resent,) = server.mailbox.to("omar.ali@example.org")
    with sqlite3.connect(project.ledger) as db:
        (msgid,) = db.execute("SELECT message_id FROM deliveries WHERE reader = ?",
                              ("omar.ali@example.org",)).fetchone()
    db.close()
    assert resent.message["Message-ID"] == msgid
    assert rows(project)[1] == ("omar.ali@example.org", "sent", 2, None)


@pytest.mark.parametrize("signum, exit_code, name", [
    (signal.SIGINT, 130, None),  # Ctrl-C
    (signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP")])  # timeout, systemd, ssh
def test_a_signal_while_waiting_for_the_reply_records_the_message_as_unknown(
        cli, project, smtp, signum, exit_code, name):
    """Stopped while the server had the message: recorded as unknown, never sent twice."""
    project.readers(READERS)
    first = smtp(Mailbox(hang_at=2))
    proc = start_send(project)
    try:
        assert first.mailbox.hanging.wait(timeout=120), proc.communicate(timeout=5)
        time.sleep(0.3)  # the client is now waiting for the reply to its message
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert (proc.returncode, out) == (exit_code, "")
    assert err.splitlines()[-1] == "sent 1, not sent 2 (of 3 readers)"
    if name:
        assert err.splitlines()[-2] == f"error: stopped by {name}; re-run to send the rest"
    assert [r[:3] for r in rows(project)] == [("jane.doe@example.org", "sent", 1),
                                              ("omar.ali@example.org", "unknown", 1)]
    assert rows(project)[1][3] == "interrupted while waiting for the server's reply"

    second = smtp()
    code, out, err = cli("send", "--week", WEEK)
    assert code == 1 and err.splitlines()[-1] == "sent 1, already sent 1, unknown 1 (of 3 readers)"
    assert [r.rcpt_tos[0] for r in second.received] == ["ann.lee@example.org"]  # no duplicate
    assert cli("send", "--week", WEEK, "--retry-unknown")[0] == 0
    assert [r.rcpt_tos[0] for r in second.received] == ["ann.lee@example.org",
                                                        "omar.ali@example.org"]


def test_a_sending_row_is_not_ignored_once_the_brief_changes(cli, project, smtp):
    """kill -9 while the server holds a message: the row stays 'sending'. The brief then
    changes: that reader may hold the first edition, so the new one is a correction of it."""
    project.readers(READERS)
    first = smtp(Mailbox(hang_at=2))
    proc = start_send(project)
    try:
        assert first.mailbox.hanging.wait(timeout=120), proc.communicate(timeout=5)
    finally:
        proc.kill()
        proc.communicate()
    assert rows(project)[1][:2] == ("omar.ali@example.org", "sending")
    with sqlite3.connect(project.ledger) as db:
        (held,) = db.execute("SELECT message_id FROM deliveries WHERE status = 'sending'"
                             ).fetchone()
    db.close()
    project.change_fact("stands ready to train", "stands ready to train and equip")

    second = smtp()
    code, out, err = cli("send", "--week", WEEK)
    assert code == 1
    assert "error: omar.ali@example.org: changed since sent; use --resend-changed" in err
    assert [r.rcpt_tos[0] for r in second.received] == ["ann.lee@example.org"]
    assert cli("send", "--week", WEEK, "--resend-changed")[0] == 0
    (correction,) = second.mailbox.to("omar.ali@example.org")
    assert correction.message["References"] == held
    assert correction.message["Subject"].endswith("(corrected)")


# --- 3: UTF-8 credentials ----------------------------------------------------------------------

USER, PASSWORD = "jörg.müller", "pässwörd-ḉ-€-secret"


def test_utf8_credentials_log_in_with_auth_plain(cli, project, smtp, certificate, monkeypatch):
    project.readers(READERS)
    logins = Logins(user=USER, password=PASSWORD)
    server = smtp(security="starttls", tls_context=certificate.server_context(),
                  authenticator=logins, auth_require_tls=True)
    monkeypatch.setenv("BRIEFGEN_SMTP_CAFILE", str(certificate.cert))
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", USER)
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    assert cli("send", "--week", WEEK) == (0, "", "sent 3 (of 3 readers)\n")
    assert logins.attempts == [USER]
    assert all(r.login == USER for r in server.received)


def test_a_refused_utf8_password_is_never_printed(cli, project, smtp, certificate, monkeypatch):
    project.readers(READERS)
    server = smtp(security="starttls", tls_context=certificate.server_context(),
                  authenticator=Logins(user=USER, password="other"), auth_require_tls=True)
    monkeypatch.setenv("BRIEFGEN_SMTP_CAFILE", str(certificate.cert))
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", USER)
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == (
        f"error: stopped: 127.0.0.1:{server.port} refused the login of BRIEFGEN_SMTP_USER="
        f"'{USER}': 535 5.7.8 Authentication credentials invalid; 3 readers not sent "
        "(re-run to resume)\nsent 0, not sent 3 (of 3 readers)\n")
    assert not any(c in err for c in "ä€ḉ") and "position" not in err


# --- 9 and 11: settings and server messages -------------------------------------------------------

@pytest.mark.parametrize("value", ["inf", "1e308", "nan", "-1"])
def test_an_impossible_timeout_is_a_plain_error(cli, project, smtp, monkeypatch, value):
    project.readers(READERS)
    server = smtp()
    monkeypatch.setenv("BRIEFGEN_SMTP_TIMEOUT", value)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    expected = ("error: BRIEFGEN_SMTP_TIMEOUT must be a number of seconds from above 0 to 3600\n"
                if value != "-1" else
                "error: BRIEFGEN_SMTP_TIMEOUT must be a number (input should be greater than 0)\n")
    assert err == expected
    assert server.received == []


def test_a_timeout_is_reported_as_a_timeout(cli, project, smtp, monkeypatch):
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org")))
    server = smtp(Mailbox(hang_at=1))
    monkeypatch.setenv("BRIEFGEN_SMTP_TIMEOUT", "0.5")
    code, out, err = cli("send", "--week", WEEK)
    assert code == 1
    assert err.splitlines()[0].startswith(
        "error: jane.doe@example.org: delivery unknown: no reply after the message was sent: "
        f"127.0.0.1:{server.port} timed out after 0.5 s (not sent again")


def test_a_ca_file_that_holds_no_certificate(cli, project, smtp, monkeypatch):
    project.readers(READERS)
    server = smtp(security="starttls")
    (project.root / "ca.pem").write_text("not a certificate\n")
    monkeypatch.setenv("BRIEFGEN_SMTP_CAFILE", "ca.pem")
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err.startswith("error: BRIEFGEN_SMTP_CAFILE='ca.pem' holds no usable CA certificate (")
    assert err.endswith("(hint: point it at a PEM file of CA certificates, the one that signed "
                        "the server's certificate)\n")
    assert "PORT" not in err and "SECURITY" not in err
    assert server.received == []


# --- 12: terminal escapes in SMTP replies ---------------------------------------------------------

def test_escape_sequences_in_a_reply_are_escaped_on_screen_and_in_the_ledger(cli, project, smtp):
    project.readers(READERS)
    evil = "550 5.1.1 \x1b[2J\x1b]0;pwned\x07 no such user"
    smtp(Mailbox(rcpt_replies={"ann.lee@example.org": evil}))
    code, out, err = cli("send", "--week", WEEK)
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err
    assert ("error: ann.lee@example.org: 550 5.1.1 \\x1b[2J\\x1b]0;pwned\\x07 no such user "
            "(permanent failure)") in err
    assert rows(project)[2][3] == "550 5.1.1 \\x1b[2J\\x1b]0;pwned\\x07 no such user"
    code, out, err = cli("ledger")
    assert "\x1b" not in out


# --- 9: read-only out folder, full disk (a real tmpfs; needs root to mount) --------------------

@pytest.fixture
def tmpfs(project):
    """Mount a small tmpfs on out/ (skipped where mounting is not allowed)."""
    project.out.mkdir()
    mounted = []

    def mount(options: str):
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(project.out)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(project.out)

    yield mount
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_real_send_into_a_read_only_out_folder(cli, project, smtp, tmpfs):
    project.readers(READERS)
    server = smtp()
    tmpfs("size=1m,ro")
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out, err) == (1, "", "error: cannot open the ledger out/ledger.sqlite: "
                                       "Read-only file system (hint: briefgen send needs to "
                                       "write in out/)\n")
    assert server.received == []


def fill(folder, leave: int = 0):
    """Fill the file system of `folder` to the last byte, then free `leave` bytes."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                pass
    os.truncate(filler, filler.stat().st_size - leave)
    return filler


@pytest.mark.parametrize("leave, message", [
    (0, "error: cannot use the ledger out/ledger.sqlite: disk I/O error; the disk holding out/ "
        "is full (hint: free some space and run again; the ledger is unchanged)\n"),
    (40 * 1024, "error: stopped: cannot record in the ledger out/ledger.sqlite: database or "
                "disk is full; 2 readers not sent (re-run to resume)\n"
                "sent 0, already sent 1, not sent 2 (of 3 readers)\n"),
])
def test_a_full_disk_during_send_stops_plainly_and_damages_nothing(cli, project, smtp, tmpfs, leave,
                                                                   message):
    """Full before the ledger opens (0 bytes left), or once it is open (40 KB left)."""
    project.readers(READERS)
    server = smtp()
    tmpfs("size=2m")  # the ledger and the archive of the three PDFs sent
    assert cli("send", "--week", WEEK)[0] == 0
    before = rows(project)
    project.change_fact("stands ready to train", "stands ready to train and equip")
    filler = fill(project.out, leave)
    proc = start_send(project, "--resend-changed")
    out, err = proc.communicate(timeout=120)
    assert (proc.returncode, out, err) == (1, "", message)
    assert len(server.received) == 3
    filler.unlink()
    assert rows(project)[:3] == before  # the ledger kept every row
    assert cli("send", "--week", WEEK, "--resend-changed")[0] == 0
    assert len(server.received) == 5


def test_utf8_credentials_without_auth_plain_are_refused_plainly(cli, project, smtp, certificate,
                                                                 monkeypatch):
    project.readers(READERS)
    server = smtp(security="starttls", tls_context=certificate.server_context(),
                  authenticator=Logins(user=USER, password=PASSWORD), auth_require_tls=True,
                  auth_exclude_mechanism=["PLAIN"])
    monkeypatch.setenv("BRIEFGEN_SMTP_CAFILE", str(certificate.cert))
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", USER)
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == (
        f"error: stopped: 127.0.0.1:{server.port} does not offer AUTH PLAIN, which a non-ASCII "
        "BRIEFGEN_SMTP_USER or BRIEFGEN_SMTP_PASSWORD needs (hint: use ASCII credentials, or a "
        "server that offers AUTH PLAIN); 3 readers not sent (re-run to resume)\n"
        "sent 0, not sent 3 (of 3 readers)\n")
    assert not any(c in err for c in "ä€ḉ") and server.received == []
