"""`briefgen send` end to end against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import io
import sqlite3

import pytest

from .conftest import FROM, MARKERS, THEMES, WEEK, reader_lines

READERS = reader_lines(
    ("Jane Doe", "jane.doe@example.org", ["russian-motives"]),
    ("Omar Ali", "omar.ali@example.org", ["nato-security-assistance", "migration-europe"]),
    ("Ann Lee", "ann.lee@example.org"),
    ("Bob Roe", "bob.roe@example.org", ["russian-motives"]),
)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages)


def attachments(message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def ledger_rows(project) -> list[tuple]:
    with sqlite3.connect(project.ledger) as db:
        return db.execute("SELECT reader, status, attempts, error FROM deliveries "
                          "ORDER BY reader, updated").fetchall()


def test_one_personalised_message_per_reader(cli, project, smtp):
    project.readers(READERS)
    server = smtp()
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (0, "")
    assert err == "sent 4 (of 4 readers)\n"
    assert sorted(r.rcpt_tos[0] for r in server.received) == [
        "ann.lee@example.org", "bob.roe@example.org", "jane.doe@example.org",
        "omar.ali@example.org"]
    for received in server.received:
        assert received.mail_from == "briefs@example.org"
        assert len(received.rcpt_tos) == 1
    follows = {"jane.doe@example.org": ["russian-motives"],
               "bob.roe@example.org": ["russian-motives"],
               "omar.ali@example.org": ["nato-security-assistance", "migration-europe"],
               "ann.lee@example.org": list(THEMES)}
    for address, themes in follows.items():
        (received,) = server.mailbox.to(address)
        message = received.message
        assert message["Subject"] == "Libya weekly brief, 9–15 December 2019"
        assert message["From"] == FROM
        files = attachments(message)
        assert list(files) == [f"libya-weekly-{WEEK}.pdf"]
        pdf = files[f"libya-weekly-{WEEK}.pdf"]
        assert pdf.startswith(b"%PDF-")
        text = " ".join(pdf_text(pdf).split())
        body = message.get_body(("plain",)).get_content()
        for theme, marker in MARKERS.items():
            assert (marker in text) == (theme in themes), (address, theme)
            assert (marker in body) == (theme in themes), (address, theme)


def test_rerun_sends_nothing_twice(cli, project, smtp):
    project.readers(READERS)
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out, err) == (0, "", "sent 0, already sent 4 (of 4 readers)\n")
    assert len(server.received) == 4
    assert [row[1:3] for row in ledger_rows(project)] == [("sent", 1)] * 4


def test_a_send_from_another_folder_uses_the_desks_ledger(cli, project, smtp, monkeypatch):
    project.readers(READERS)
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    elsewhere = project.root / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = cli("send", "--facts", "../facts", "--week", WEEK)
    assert (code, out, err) == (0, "", "sent 0, already sent 4 (of 4 readers)\n")
    assert len(server.received) == 4
    assert not (elsewhere / "out").exists()
    code, out, _ = cli("send", "--facts", "../facts", "--week", WEEK, "--dry-run",
                       "--out", "mine")  # an explicit --out still wins
    assert code == 0
    assert out.splitlines()[0] == f"mine/outbox/{WEEK}/jane.doe@example.org.eml"


def test_build_from_another_folder_writes_to_the_desks_out(cli, project, monkeypatch):
    elsewhere = project.root / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = cli("build", "--facts", "../facts", "--theme", "russian-motives",
                       "--format", "pdf")
    assert (code, out) == (0, "../out/theme-russian-motives.pdf\n")
    assert (project.out / "theme-russian-motives.pdf").is_file()
    assert not (elsewhere / "out").exists()


def test_a_new_reader_gets_the_brief_and_nobody_else_does(cli, project, smtp):
    project.readers(READERS)
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    project.readers(READERS + "  - name: New Reader\n    email: new@example.org\n"
                    "    themes: [russian-motives]\n")
    code, _, err = cli("send", "--week", WEEK)
    assert (code, err) == (0, "sent 1, already sent 4 (of 5 readers)\n")
    assert [r.rcpt_tos for r in server.received[4:]] == [["new@example.org"]]


def test_each_theme_set_is_built_once(project, smtp):
    from briefgen import pipeline
    from briefgen.desk import Desk
    from briefgen.distribution.send import run

    project.readers(READERS)
    smtp()
    desk = Desk.find(project.facts)
    report = run(desk, pipeline.load(desk), WEEK)
    assert report.counts["sent"] == 4
    assert report.built == 3  # {russian}, {nato, migration}, every theme


def test_dry_run_writes_one_eml_per_reader_and_sends_nothing(cli, project, monkeypatch):
    """No SMTP settings, not even BRIEFGEN_FROM: a dry run needs none."""
    monkeypatch.delenv("BRIEFGEN_FROM")
    project.readers(READERS + '  - name: "Slash, Sam"\n    email: sam/slash@example.org\n')
    code, out, err = cli("send", "--week", WEEK, "--dry-run")
    folder = f"out/outbox/{WEEK}"
    assert (code, err) == (0, f"wrote 5 messages to {folder} (of 5 readers; dry run, nothing "
                              "sent)\n")
    assert out.splitlines() == [
        f"{folder}/jane.doe@example.org.eml", f"{folder}/omar.ali@example.org.eml",
        f"{folder}/ann.lee@example.org.eml", f"{folder}/bob.roe@example.org.eml",
        f"{folder}/sam_slash@example.org-{_short_hash('sam/slash@example.org')}.eml"]
    assert not project.ledger.exists()
    import email
    import email.policy
    message = email.message_from_bytes((project.root / out.splitlines()[0]).read_bytes(),
                                       policy=email.policy.default)
    assert message["From"] == "briefgen <briefgen@localhost>"
    assert message["To"] == "Jane Doe <jane.doe@example.org>"
    assert list(attachments(message)) == [f"libya-weekly-{WEEK}.pdf"]
    assert MARKERS["russian-motives"] in pdf_text(attachments(message)[f"libya-weekly-{WEEK}.pdf"])


def _short_hash(text: str) -> str:
    import hashlib
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def test_dry_runs_are_reproducible_except_the_date(cli, project):
    import re

    project.readers(READERS)
    paths = cli("send", "--week", WEEK, "--dry-run")[1].splitlines()
    first = {p: (project.root / p).read_bytes() for p in paths}
    assert cli("send", "--week", WEEK, "--dry-run")[1].splitlines() == paths
    for path, data in first.items():
        again = (project.root / path).read_bytes()
        assert re.sub(rb"\r\nDate: [^\r]+", b"", again) == re.sub(rb"\r\nDate: [^\r]+", b"", data)


def test_dry_run_shows_what_a_real_run_would_do(cli, project, smtp):
    project.readers(READERS)
    smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    project.readers(READERS + "  - name: New Reader\n    email: new@example.org\n")
    code, out, err = cli("send", "--week", WEEK, "--dry-run")
    assert (code, out) == (0, f"out/outbox/{WEEK}/new@example.org.eml\n")
    assert err == (f"wrote 1 message to out/outbox/{WEEK}, already sent 4 (of 5 readers; "
                   "dry run, nothing sent)\n")


@pytest.mark.parametrize("formats, names", [
    ("docx", [f"libya-weekly-{WEEK}.docx"]),
    ("docx,pdf", [f"libya-weekly-{WEEK}.docx", f"libya-weekly-{WEEK}.pdf"]),
])
def test_word_attachments(cli, project, smtp, formats, names):
    import docx

    project.readers(reader_lines(("Omar Ali", "omar.ali@example.org", ["migration-europe"])))
    server = smtp()
    assert cli("send", "--week", WEEK, "--format", formats) == (0, "", "sent 1 (of 1 reader)\n")
    (received,) = server.received
    files = attachments(received.message)
    assert list(files) == names
    document = docx.Document(io.BytesIO(files[names[0]]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert MARKERS["migration-europe"] in text and MARKERS["russian-motives"] not in text


def test_names_with_quotes_commas_and_accents_arrive_intact(cli, project, smtp):
    names = ['O\'Brien, "Jo"', "Siobhán Ó Súilleabháin", "Ħaftar, Khalifa (LNA)",
             "مركز المستقبل"]
    project.readers(reader_lines(*[(n, f"r{i}@example.org") for i, n in enumerate(names)]))
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    for i, name in enumerate(names):
        (received,) = server.mailbox.to(f"r{i}@example.org")
        headers = received.raw.split(b"\r\n\r\n", 1)[0]
        assert headers.isascii()
        (address,) = received.message["To"].addresses
        assert (address.display_name, address.addr_spec) == (name, f"r{i}@example.org")


def test_a_changed_brief_needs_resend_changed_and_says_corrected(cli, project, smtp):
    project.readers(READERS)
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    first_ids = {r.rcpt_tos[0]: r.message["Message-ID"] for r in server.received}
    # A correction in the Russian-motives fact: every brief with that theme changes.
    project.change_fact("met Khalifa Haftar in Benghazi",
                        "met Khalifa Haftar in Benghazi on Tuesday")

    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == (
        "error: jane.doe@example.org: changed since sent; use --resend-changed to send the "
        "corrected brief\n"
        "error: ann.lee@example.org: changed since sent; use --resend-changed to send the "
        "corrected brief\n"
        "error: bob.roe@example.org: changed since sent; use --resend-changed to send the "
        "corrected brief\n"
        "sent 0, already sent 1, changed 3 (of 4 readers)\n")
    assert len(server.received) == 4

    code, out, err = cli("send", "--week", WEEK, "--resend-changed")
    assert (code, out, err) == (0, "", "sent 3, already sent 1 (of 4 readers)\n")
    corrections = server.received[4:]
    assert sorted(r.rcpt_tos[0] for r in corrections) == [
        "ann.lee@example.org", "bob.roe@example.org", "jane.doe@example.org"]
    for received in corrections:
        message = received.message
        address = received.rcpt_tos[0]
        assert message["Subject"] == "Libya weekly brief, 9–15 December 2019 (corrected)"
        assert message["References"] == first_ids[address]
        assert message["Message-ID"] != first_ids[address]
        assert "on Tuesday" in pdf_text(attachments(message)[
            f"libya-weekly-{WEEK}-corrected-1.pdf"])

    assert cli("send", "--week", WEEK) == (0, "", "sent 0, already sent 4 (of 4 readers)\n")
    assert len(server.received) == 7


def test_a_theme_the_reader_does_not_follow_changes_nothing_for_them(cli, tmp_path, monkeypatch,
                                                                      smtp):
    """The init desk's reader lists its one theme; a theme added later is not theirs."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFGEN_FROM", FROM)
    assert cli("init", "desk")[0] == 0
    monkeypatch.chdir(tmp_path / "desk")
    server = smtp()
    assert cli("send", "--week", "2024-W11") == (0, "", "sent 1 (of 1 reader)\n")
    pdf = attachments(server.received[0].message)["northland-weekly-2024-W11.pdf"]
    assert "Northland weekly brief, 11–17 March 2024 Water supply Northland desk" in " ".join(
        pdf_text(pdf).split())
    with open("facts/themes.yaml", "a", encoding="utf-8") as f:
        f.write("  - id: farming\n    title: Farming\n")
    assert cli("send", "--week", "2024-W11") == (0, "", (
        "facts/themes.yaml:8:9: warning: [farming] theme has no facts (hint: add facts to it "
        "or remove it)\nchecked 2 facts, 1 source, 2 themes: 0 errors, 1 warning\n"
        "sent 0, already sent 1 (of 1 reader)\n"))
    assert len(server.received) == 1


def test_the_email_counts_the_developments_the_pdf_counts(cli, tmp_path, monkeypatch):
    """Developments shown as this week's key developments count under their theme: the PDF
    prints both lines."""
    import email
    import email.policy

    monkeypatch.chdir(tmp_path)
    assert cli("init", "desk")[0] == 0
    monkeypatch.chdir(tmp_path / "desk")
    assert cli("send", "--week", "2024-W11", "--dry-run")[0] == 0
    with open("out/outbox/2024-W11/reader@example.org.eml", "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)
    pdf = " ".join(pdf_text(attachments(message)["northland-weekly-2024-W11.pdf"]).split())
    assert pdf.startswith("Northland weekly brief, 11–17 March 2024 Water supply ")
    assert pdf.split("This week ")[1].split("Sources")[0].count("•") == 2
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert ("Your themes, with the developments this brief reports on each:\n"
            "  - Water supply: 2\n") in text
    html = message.get_body(("html",)).get_content()
    assert ('<td dir="auto" style="padding:2px 16px 2px 0">Water supply</td>'
            '<td style="text-align:right;padding:2px 0">2</td>') in html


def test_status_is_an_alias_of_the_ledger_command(cli, project, smtp):
    """`send --status` (older) prints what `briefgen ledger --week` prints."""
    from .conftest import Mailbox

    project.readers(READERS)
    rejection = "550 5.1.1 <bob.roe@example.org>: Recipient address rejected"
    smtp(Mailbox(rcpt_replies={"bob.roe@example.org": rejection}))
    assert cli("send", "--week", WEEK)[0] == 1
    status = cli("send", "--status", "--week", WEEK)
    assert status == cli("ledger", "--week", WEEK)
    assert status[0] == 0 and status[2] == "sent 3, failed 1 (4 messages)\n"




def test_a_week_that_does_not_exist_is_a_usage_error(cli, project):
    project.readers(READERS)
    assert cli("send", "--week", "2019-W53", "--dry-run") == (
        2, "", "error: 2019-W53 does not exist: 2019 has no ISO week 53\n")


def test_progress_bar_on_a_terminal(project, smtp):
    """On a terminal, stderr shows a progress bar while sending; the summary line stays."""
    import os
    import pty
    import subprocess
    import sys

    from .conftest import ROOT, many_readers

    project.readers(many_readers(30))
    server = smtp()
    # a process of its own whose stderr is a real terminal
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "send", "--week", WEEK],
                            cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "sending" in screen and "/30" in screen
    assert screen.rstrip().endswith("sent 30 (of 30 readers)")
    assert len(server.received) == 30


def test_a_reader_whose_themes_have_nothing_this_week_gets_no_empty_brief(cli, project, smtp):
    facts = project.facts / "base.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "themes:\n", "themes:\n  - id: oil\n    title: Oil\n", 1), encoding="utf-8")
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org", ["russian-motives"]),
                                 ("Oil Man", "oil.man@example.org", ["oil"])))
    server = smtp()
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (0, "")
    assert err.splitlines()[-1] == "sent 1, nothing new 1 (of 2 readers)"
    assert [r.rcpt_tos for r in server.received] == [["jane.doe@example.org"]]
    # asked for, the empty brief goes out (once), and the reader is then served
    code, out, err = cli("send", "--week", WEEK, "--allow-empty")
    assert (code, err.splitlines()[-1]) == (0, "sent 1, already sent 1 (of 2 readers)")
    assert [r.rcpt_tos for r in server.received][1:] == [["oil.man@example.org"]]
