"""Talking to mail servers: TLS, login, temporary and permanent failures, drops and crashes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from .conftest import ROOT, WEEK, Mailbox, many_readers, reader_lines

READERS = reader_lines(
    ("Jane Doe", "jane.doe@example.org", ["russian-motives"]),
    ("Omar Ali", "omar.ali@example.org", ["nato-security-assistance", "migration-europe"]),
    ("Ann Lee", "ann.lee@example.org"),
    ("Bob Roe", "bob.roe@example.org", ["russian-motives"]),
)
ADDRESSES = ["jane.doe@example.org", "omar.ali@example.org", "ann.lee@example.org",
             "bob.roe@example.org"]
PASSWORD = "s3cret-Pa55word"


def rows(project) -> list[tuple]:
    with sqlite3.connect(project.ledger) as db:
        return db.execute("SELECT address, status, attempts, error FROM deliveries "
                          "ORDER BY rowid").fetchall()


def recipients(*servers) -> list[str]:
    return sorted(r.rcpt_tos[0] for s in servers for r in s.received)


class Logins:
    """An aiosmtpd authenticator that accepts one user and records every attempt."""

    def __init__(self, user="briefgen", password=PASSWORD):
        self.user, self.password, self.attempts = user, password, []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.attempts.append(login)
        return AuthResult(success=(login, password) == (self.user, self.password),
                          handled=False, auth_data=auth_data)


def test_starttls_with_certificate_check_and_login(cli, project, smtp, certificate, monkeypatch):
    project.readers(READERS)
    logins = Logins()
    server = smtp(security="starttls", tls_context=certificate.server_context(),
                  require_starttls=True, authenticator=logins, auth_require_tls=True)
    monkeypatch.setenv("BRIEFGEN_SMTP_CAFILE", str(certificate.cert))
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", "briefgen")
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out, err) == (0, "", "sent 4 (of 4 readers)\n")
    assert recipients(server) == sorted(ADDRESSES)
    assert all(r.tls and r.login == "briefgen" for r in server.received)
    assert logins.attempts == ["briefgen"]  # one connection, one login
    assert PASSWORD.encode() not in project.ledger.read_bytes()
    code, out, err = cli("send", "--status", "--week", WEEK)
    assert PASSWORD not in out + err


def test_implicit_tls(cli, project, smtp, certificate, monkeypatch):
    project.readers(READERS)
    server = smtp(security="ssl", ssl_context=certificate.server_context())
    monkeypatch.setenv("BRIEFGEN_SMTP_CAFILE", str(certificate.cert))
    assert cli("send", "--week", WEEK) == (0, "", "sent 4 (of 4 readers)\n")
    assert recipients(server) == sorted(ADDRESSES)
    assert all(r.tls for r in server.received)


def test_an_untrusted_certificate_stops_before_anything_is_sent(cli, project, smtp, certificate):
    project.readers(READERS)
    server = smtp(security="starttls", tls_context=certificate.server_context())
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    # OpenSSL 1.1 says "self signed certificate", 3.x "self-signed certificate".
    assert err.replace("self signed", "self-signed") == (
        f"error: stopped: the TLS certificate of 127.0.0.1:{server.port} is not trusted: "
        "self-signed certificate (hint: set BRIEFGEN_SMTP_CAFILE to the CA certificate that "
        "signed it); 4 readers not sent (re-run to resume)\n"
        "sent 0, not sent 4 (of 4 readers)\n")
    assert server.received == []
    assert rows(project) == []


def test_a_server_without_starttls_is_not_used_in_the_clear(cli, project, smtp):
    project.readers(READERS)
    server = smtp(security="starttls")
    code, _, err = cli("send", "--week", WEEK)
    assert code == 1
    assert err.splitlines()[0] == (
        f"error: stopped: 127.0.0.1:{server.port} does not offer STARTTLS (hint: set "
        "BRIEFGEN_SMTP_SECURITY=ssl for implicit TLS, or none for a local relay); "
        "4 readers not sent (re-run to resume)")
    assert server.received == []


def test_a_refused_login_is_reported_without_the_password(cli, project, smtp, certificate,
                                                          monkeypatch):
    project.readers(READERS)
    server = smtp(security="starttls", tls_context=certificate.server_context(),
                  authenticator=Logins(password="another"), auth_require_tls=True)
    monkeypatch.setenv("BRIEFGEN_SMTP_CAFILE", str(certificate.cert))
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", "briefgen")
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == (
        f"error: stopped: 127.0.0.1:{server.port} refused the login of BRIEFGEN_SMTP_USER="
        "'briefgen': 535 5.7.8 Authentication credentials invalid; 4 readers not sent "
        "(re-run to resume)\n"
        "sent 0, not sent 4 (of 4 readers)\n")
    assert server.received == []


def test_a_busy_server_421_is_retried_and_recovers(cli, project, smtp):
    project.readers(READERS)
    server = smtp(Mailbox(data_replies=["421 4.3.2 Service busy, try again later"]))
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out, err) == (0, "", "sent 4 (of 4 readers)\n")
    assert recipients(server) == sorted(ADDRESSES)  # nobody twice, nobody skipped
    assert rows(project) == [("jane.doe@example.org", "sent", 2, None),
                             ("omar.ali@example.org", "sent", 1, None),
                             ("ann.lee@example.org", "sent", 1, None),
                             ("bob.roe@example.org", "sent", 1, None)]


def test_a_permanent_failure_is_recorded_and_reported(cli, project, smtp):
    project.readers(READERS)
    rejection = "550 5.1.1 <bob.roe@example.org>: Recipient address rejected"
    server = smtp(Mailbox(rcpt_replies={"bob.roe@example.org": rejection}))
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == (f"error: bob.roe@example.org: {rejection} (permanent failure)\n"
                   "sent 3, failed 1 (of 4 readers)\n")
    assert recipients(server) == sorted(ADDRESSES[:3])
    assert rows(project)[3] == ("bob.roe@example.org", "failed", 1, rejection)

    server.mailbox.rcpt_replies.clear()  # the mailbox is fixed; a new run serves Bob only
    assert cli("send", "--week", WEEK) == (0, "", "sent 1, already sent 3 (of 4 readers)\n")
    assert recipients(server) == sorted(ADDRESSES)
    assert rows(project)[3] == ("bob.roe@example.org", "sent", 2, None)


def test_a_temporary_failure_that_lasts_is_deferred(cli, project, smtp):
    project.readers(READERS)
    busy = "452 4.2.2 Mailbox full"
    server = smtp(Mailbox(rcpt_replies={"omar.ali@example.org": busy}))
    code, _, err = cli("send", "--week", WEEK)
    assert code == 1
    assert err == (f"error: omar.ali@example.org: {busy} (temporary failure; gave up after 3 "
                   "attempts)\n"
                   "sent 3, deferred 1 (of 4 readers)\n")
    assert recipients(server) == sorted(set(ADDRESSES) - {"omar.ali@example.org"})
    assert rows(project)[1] == ("omar.ali@example.org", "deferred", 3, busy)


def test_a_dropped_connection_is_resumed_by_the_next_run(cli, project, smtp, monkeypatch):
    """The server cuts the connection during the 3rd message (before its DATA) and goes away;
    a later run against a working server sends exactly the two messages still missing."""
    project.readers(READERS)
    first = smtp(Mailbox(drop_rcpt_at={3}))
    first.mailbox.after_drop = first.stop_listening
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == (
        f"error: stopped: cannot connect to 127.0.0.1:{first.port}: Connection refused "
        "(gave up after 3 attempts); 2 readers not sent (re-run to resume)\n"
        "sent 2, not sent 2 (of 4 readers)\n")
    assert recipients(first) == sorted(ADDRESSES[:2])
    assert rows(project) == [
        ("jane.doe@example.org", "sent", 1, None), ("omar.ali@example.org", "sent", 1, None),
        ("ann.lee@example.org", "deferred", 1, f"127.0.0.1:{first.port} closed the connection")]

    second = smtp()
    assert cli("send", "--week", WEEK) == (0, "", "sent 2, already sent 2 (of 4 readers)\n")
    assert recipients(second) == sorted(ADDRESSES[2:])
    assert recipients(first, second) == sorted(ADDRESSES)  # nobody twice, nobody skipped


def test_a_drop_mid_run_reconnects_on_one_more_connection(project, smtp):
    from briefgen import pipeline
    from briefgen.desk import Desk
    from briefgen.distribution.send import run

    project.readers(many_readers(12))
    server = smtp(Mailbox(drop_rcpt_at={5}))
    desk = Desk.find(project.facts)
    report = run(desk, pipeline.load(desk), WEEK)
    assert report.line() == "sent 12 (of 12 readers)"
    assert report.connections == 2
    assert recipients(server) == [f"reader{i:03d}@example.org" for i in range(12)]


def test_a_killed_run_resumes_with_the_same_message_id(cli, project, smtp):
    """SIGKILL while the server holds the 3rd message: that row stays 'sending'; the next run
    sends it again under the same Message-ID and sends the 4th; nobody twice, nobody skipped."""
    project.readers(READERS)
    first = smtp(Mailbox(hang_at=3))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # a process of its own: it is killed
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "send", "--week", WEEK],
                            cwd=project.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert first.mailbox.hanging.wait(timeout=120), proc.communicate(timeout=5)
    finally:
        proc.kill()
        proc.communicate()
    with sqlite3.connect(project.ledger) as db:
        before = db.execute("SELECT address, status, attempts, message_id FROM deliveries "
                            "ORDER BY rowid").fetchall()
    assert [r[:3] for r in before] == [("jane.doe@example.org", "sent", 1),
                                       ("omar.ali@example.org", "sent", 1),
                                       ("ann.lee@example.org", "sending", 1)]
    second = smtp()
    assert cli("send", "--week", WEEK) == (0, "", "sent 2, already sent 2 (of 4 readers)\n")
    assert recipients(first, second) == sorted(ADDRESSES)
    (resent,) = second.mailbox.to("ann.lee@example.org")
    assert resent.message["Message-ID"] == before[2][3]
    assert rows(project)[2] == ("ann.lee@example.org", "sent", 2, None)


def test_a_second_run_at_the_same_time_is_refused(cli, project, smtp):
    from briefgen.distribution.ledger import Ledger

    project.readers(READERS)
    server = smtp()
    with Ledger.open(project.ledger):
        code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == ("error: another 'briefgen send' is using out/ledger.sqlite; wait for it to "
                   "finish (lock: out/ledger.sqlite.lock)\n")
    assert server.received == []


@pytest.mark.parametrize("env, message", [
    ({"BRIEFGEN_SMTP_HOST": None}, "error: BRIEFGEN_SMTP_HOST is not set (hint: export "
     "BRIEFGEN_SMTP_HOST=smtp.example.org, or use --dry-run to write the messages to files)"),
    ({"BRIEFGEN_FROM": None}, "error: BRIEFGEN_FROM is not set (hint: export "
     "BRIEFGEN_FROM='Desk briefs <briefs@example.org>')"),
    ({"BRIEFGEN_FROM": "briefs at example.org"}, "error: BRIEFGEN_FROM='briefs at example.org' "
     "is not a valid address: An email address must have an @-sign."),
    ({"BRIEFGEN_SMTP_SECURITY": "tls"}, "error: BRIEFGEN_SMTP_SECURITY must be one of "
     "starttls, ssl, none"),
    ({"BRIEFGEN_SMTP_PORT": "smtp"}, "error: BRIEFGEN_SMTP_PORT must be a port number from 1 "
     "to 65535"),
    ({"BRIEFGEN_SMTP_USER": "briefgen"}, "error: BRIEFGEN_SMTP_PASSWORD is not set but "
     "BRIEFGEN_SMTP_USER is (hint: set both to log in, or unset BRIEFGEN_SMTP_USER)"),
    ({"BRIEFGEN_SMTP_PASSWORD": PASSWORD}, "error: BRIEFGEN_SMTP_PASSWORD is set but "
     "BRIEFGEN_SMTP_USER is not (hint: set BRIEFGEN_SMTP_USER to log in)"),
    ({"BRIEFGEN_SMTP_HOST": "smtp.example.org", "BRIEFGEN_SMTP_USER": "briefgen",
      "BRIEFGEN_SMTP_PASSWORD": PASSWORD}, "error: refusing to send BRIEFGEN_SMTP_PASSWORD "
     "unencrypted to smtp.example.org (BRIEFGEN_SMTP_SECURITY=none) (hint: use starttls or ssl)"),
    ({"BRIEFGEN_SMTP_CAFILE": "/nonexistent/ca.pem"}, "error: BRIEFGEN_SMTP_CAFILE="
     "'/nonexistent/ca.pem' is not a file (hint: point it at a PEM file of CA certificates)"),
])
def test_settings_problems_name_the_variable(cli, project, smtp, monkeypatch, env, message):
    project.readers(READERS)
    server = smtp()
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out, err) == (1, "", message + "\n")
    assert PASSWORD not in err
    assert server.received == []


def test_every_settings_problem_is_reported_in_one_run(cli, project, monkeypatch):
    project.readers(READERS)
    monkeypatch.delenv("BRIEFGEN_FROM")  # nothing set at all (the fixture clears the rest)
    assert cli("send", "--week", WEEK) == (1, "", (
        "error: BRIEFGEN_FROM is not set (hint: export BRIEFGEN_FROM='Desk briefs "
        "<briefs@example.org>')\n"
        "error: BRIEFGEN_SMTP_HOST is not set (hint: export BRIEFGEN_SMTP_HOST=smtp.example.org, "
        "or use --dry-run to write the messages to files)\n"))
    for name, value in (("BRIEFGEN_SMTP_PORT", "smtp"), ("BRIEFGEN_SMTP_SECURITY", "tls"),
                        ("BRIEFGEN_SMTP_PASSWORD", PASSWORD),
                        ("BRIEFGEN_SMTP_CAFILE", "/nonexistent/ca.pem")):
        monkeypatch.setenv(name, value)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == (
        "error: BRIEFGEN_SMTP_PORT must be a port number from 1 to 65535\n"
        "error: BRIEFGEN_SMTP_SECURITY must be one of starttls, ssl, none\n"
        "error: BRIEFGEN_FROM is not set (hint: export BRIEFGEN_FROM='Desk briefs "
        "<briefs@example.org>')\n"
        "error: BRIEFGEN_SMTP_HOST is not set (hint: export BRIEFGEN_SMTP_HOST=smtp.example.org, "
        "or use --dry-run to write the messages to files)\n"
        "error: BRIEFGEN_SMTP_PASSWORD is set but BRIEFGEN_SMTP_USER is not (hint: set "
        "BRIEFGEN_SMTP_USER to log in)\n"
        "error: BRIEFGEN_SMTP_CAFILE='/nonexistent/ca.pem' is not a file (hint: point it at a "
        "PEM file of CA certificates)\n")
    assert not project.ledger.exists()


def test_a_login_the_server_does_not_offer(cli, project, smtp, monkeypatch):
    project.readers(READERS)
    server = smtp()  # plain SMTP on loopback, no AUTH
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", "briefgen")
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == (
        f"error: stopped: 127.0.0.1:{server.port}: SMTP AUTH extension not supported by server. "
        "(hint: check BRIEFGEN_SMTP_SECURITY; many servers offer AUTH only over TLS; unset "
        "BRIEFGEN_SMTP_USER if this one needs no login); 4 readers not sent (re-run to resume)\n"
        "sent 0, not sent 4 (of 4 readers)\n")
    assert PASSWORD not in err


def test_a_refused_sender_stops_the_run(cli, project, smtp):
    project.readers(READERS)
    server = smtp(Mailbox(mail_reply="553 5.7.1 Sender address rejected: not owned by user"))
    code, _, err = cli("send", "--week", WEEK)
    assert code == 1
    assert err == (
        f"error: stopped: 127.0.0.1:{server.port} refused the sender briefs@example.org "
        "(BRIEFGEN_FROM): 553 5.7.1 Sender address rejected: not owned by user; 4 readers not "
        "sent (re-run to resume)\n"
        "sent 0, not sent 4 (of 4 readers)\n")
    assert rows(project) == [("jane.doe@example.org", "deferred", 1,
                              f"127.0.0.1:{server.port} refused the sender briefs@example.org "
                              "(BRIEFGEN_FROM): 553 5.7.1 Sender address rejected: not owned "
                              "by user")]
