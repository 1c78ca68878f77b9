"""Editions of record, against a real SMTP server on loopback: the marking in every part, a
corrected edition marked in the document itself, the archive of what was sent and
`ledger --save` / `--verify`, and the mail's counts equal to the PDF's."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, WEEK, write
from .test_corrections import REASON, WITHDRAWN, desk, extra  # noqa: F401 - desk: a fixture
from .test_send import attachments

MARKED = '[desk]\nname = "Libya desk"\nregion = "Libya"\nclassification = "OFFICIAL"\n'
RETRACT = ("  - id: mercenaries-sirte\n", "  - id: mercenaries-sirte\n    retracted: true\n")


def poppler(tool: str, data: bytes, *args: str) -> str:
    """What a poppler tool (pdftotext, pdfinfo) reads in the PDF `data`."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brief.pdf"
        path.write_bytes(data)
        out = [Path(folder) / "out.txt"] if tool == "pdftotext" else []
        done = subprocess.run([tool, *args, str(path), *map(str, out)], capture_output=True,
                              text=True, check=True)
        return out[0].read_text(encoding="utf-8") if out else done.stdout


def words(text: str) -> str:
    return " ".join(text.split())


def untyped(text: str) -> str:
    """Words with the typography the writers apply to fact text (curly quotes and apostrophes,
    range dashes) undone, to find a fact file's statement in a brief's text."""
    return words(text).translate(str.maketrans("’‘“”–", "''\"\"-"))


def plain(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html(message) -> str:
    return message.get_body(("html",)).get_content()


def archived(project) -> list[Path]:
    return sorted(p for p in (project.out / "archive").rglob("*") if p.is_file())


@pytest.fixture
def marked(desk):  # noqa: F811 - the fixture of test_corrections, with a marking
    write(desk.root / "briefgen.toml", MARKED)
    return desk


def test_the_marking_is_in_the_subject_and_at_the_top_and_bottom_of_both_parts(cli, marked,
                                                                               smtp):
    server = smtp()
    assert cli("send", "--week", WEEK) == (0, "", "sent 3 (of 3 readers)\n")
    for received in server.received:
        message = received.message
        assert message["Subject"] == "[OFFICIAL] Libya weekly brief, 9–15 December 2019"
        text, page = plain(message), html(message)
        assert text.startswith("OFFICIAL\n\nLibya weekly brief, 9–15 December 2019\n")
        assert text.endswith("\nOFFICIAL\n")
        body = page.split("<main", 1)[1]
        assert body.split("</p>", 1)[0].endswith(">OFFICIAL")
        assert body.rsplit("<p", 1)[1].startswith(' style="margin:12px 0 0;text-align:center;'
                                                  'font-weight:bold;letter-spacing:0.05em">'
                                                  'OFFICIAL</p>')
        # the footer names the desk and the edition by its title and date, not the tool
        assert text.split("\n-- \n")[1] == ("Libya desk · Libya weekly brief, 9–15 December 2019 "
                                             "· issued 16 December 2019\nOFFICIAL\n")
        assert "briefgen" not in text and message["X-Briefgen-Edition"] not in text
        # the attachment prints its short edition id in the footer of every page
        (pdf,) = attachments(message).values()
        short = message["X-Briefgen-Edition"].rsplit("-", 1)[1]
        pages = poppler("pdftotext", pdf, "-layout").split("\f")[:-1]
        assert all(f"Edition {short}" in page for page in pages)


def test_a_withdrawn_source_gives_a_corrected_edition_that_says_so_in_the_document(cli, marked,
                                                                                   smtp):
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    first = {r.rcpt_tos[0]: r.message for r in server.received}
    extra(marked, "    reliability: D\n", WITHDRAWN)
    extra(marked, *RETRACT)
    code, out, err = cli("send", "--week", WEEK)
    assert code == 1 and err.endswith("sent 0, already sent 1, changed 2 (of 3 readers)\n")
    code, out, err = cli("send", "--week", WEEK, "--resend-changed")
    assert (code, err.splitlines()[-1]) == (0, "sent 2, already sent 1 (of 3 readers)")

    for received in server.received[3:]:
        message, address = received.message, received.rcpt_tos[0]
        assert message["Subject"] == "[OFFICIAL] Libya weekly brief, 9–15 December 2019 (corrected)"
        files = attachments(message)
        assert list(files) == ["libya-weekly-2019-W50-corrected-1.pdf"]
        pdf = files["libya-weekly-2019-W50-corrected-1.pdf"]
        info = poppler("pdfinfo", pdf)
        assert "Title:           Libya weekly brief, 9–15 December 2019 (corrected edition)\n" in info
        pages = poppler("pdftotext", pdf, "-layout").split("\f")[:-1]
        said = "Corrected edition — replaces the edition sent on 16 December 2019"
        assert said in pages[0]  # the cover
        assert all(said in words(" ".join(page.splitlines()[:4])) for page in pages[1:])  # head
        new = message["X-Briefgen-Edition"].rsplit("-", 1)[1]
        old = first[address]["X-Briefgen-Edition"].rsplit("-", 1)[1]
        assert all(f"Edition {new}, correcting edition {old}" in p for p in pages)
        # the "What changed" box says what the mail says, in the same words
        box = words(pages[0].split("What changed", 1)[1].split("\n\n\n")[0])
        (line,) = [x[4:] for x in plain(message).splitlines() if x.startswith("  - Withdrawn:")]
        assert line.startswith("Withdrawn: ") and line.endswith(f"(why: {REASON})")
        assert words(line) in box
        assert "200 Russian mercenaries arrived in Sirte" in line
        assert words(line).replace("“", "").replace("”", "") in words(
            html(message).replace("<strong>", "").replace("</strong>", ""))


def test_ledger_save_writes_exactly_what_the_reader_received(cli, marked, smtp, tmp_path):
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    extra(marked, "claims 200 Russian", "claims that 200 Russian")
    assert cli("send", "--week", WEEK, "--resend-changed")[0] == 0
    got = {}
    for received in server.mailbox.to("jane.doe@example.org"):
        got.update(attachments(received.message))
    assert list(got) == ["libya-weekly-2019-W50.pdf", "libya-weekly-2019-W50-corrected-1.pdf"]

    code, out, err = cli("ledger", "--reader", "Jane.Doe@example.org", "--week", WEEK,
                         "--save", str(tmp_path / "jane"))
    assert (code, err) == (0, "saved 2 files that Jane.Doe@example.org received in 2019-W50\n")
    saved = [Path(line) for line in out.splitlines()]
    assert [p.name for p in saved] == list(got)
    for path in saved:
        assert path.read_bytes() == got[path.name]
    # the archive holds each distinct file once, named by its SHA-256, read-only
    files = archived(marked)
    assert len(files) == 5  # three editions sent (one per theme set), two corrected
    for path in files:
        assert path.name == hashlib.sha256(path.read_bytes()).hexdigest() + ".pdf"
        assert not os.access(path, os.W_OK) or os.geteuid() == 0
        assert path.stat().st_mode & 0o222 == 0
    assert cli("ledger", "--reader", "omar.ali@example.org", "--save", str(tmp_path / "o")) == (
        0, str(tmp_path / "o" / "libya-weekly-2019-W50.pdf") + "\n",
        "saved 1 file that omar.ali@example.org received\n")
    assert cli("ledger", "--save", str(tmp_path / "x")) == (
        2, "", "error: --save needs --reader EMAIL: whose copies to save\n")


def test_ledger_verify_finds_an_altered_or_missing_archived_file(cli, marked, smtp):
    smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    assert cli("ledger", "--verify") == (0, "", "checked 3 archived files: each as it was sent\n")
    tampered, gone, _ = archived(marked)
    tampered.chmod(0o644)
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 1  # one bit, wherever it falls
    tampered.write_bytes(bytes(data))
    gone.chmod(0o644)
    gone.unlink()
    code, out, err = cli("ledger", "--verify")
    found = hashlib.sha256(tampered.read_bytes()).hexdigest()
    lines = err.splitlines()
    assert (code, out, len(lines)) == (1, "", 3)
    assert f"error: {tampered.relative_to(marked.root)} was altered: its SHA-256 is {found}, " \
           f"the ledger's {tampered.stem} (libya-weekly-2019-W50.pdf, sent to " in err
    assert f"error: {gone.relative_to(marked.root)} is missing (libya-weekly-2019-W50.pdf, " \
           "sent to " in err
    assert lines[-1] == ("2 of 3 archived files are missing or altered (hint: restore "
                         "out/archive/ from a backup: these are the files the readers received)")
    # a send never rewrites an archived file: new readers of the same editions (the same
    # bytes) stop at the altered one, which stays as it is; the missing one is archived again
    before = tampered.read_bytes()
    readers = yaml.safe_load((marked.root / "readers.yaml").read_text(encoding="utf-8"))
    twins = [{**r, "email": "twin." + r["email"], **({"themes": list(r["themes"])} if "themes"
              in r else {})} for r in readers["readers"]]  # a new reader of each edition
    marked.readers(yaml.safe_dump({"readers": readers["readers"] + twins}))
    code, out, err = cli("send", "--week", WEEK)
    assert code == 1 and "was altered" in err and "not sent (re-run to resume)" in err
    assert tampered.read_bytes() == before


def test_mail_counts_equal_pdf_counts_for_every_reader_of_the_bundled_desk(cli, tmp_path,
                                                                            monkeypatch, smtp):
    """Each theme's count in the mail is the number of that theme's developments the attached
    PDF prints (found by their statements in the PDF's text), for every reader."""
    from briefgen.compose.specs import parse_week
    from briefgen.factbase.base import load_factbase

    for name in ("facts", "templates", "readers.yaml", "briefgen.toml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1576454400")
    monkeypatch.setenv("BRIEFGEN_FROM", "Libya desk <desk@example.org>")
    server = smtp()
    code, out, err = cli("send", "--week", WEEK)
    assert (code, err.splitlines()[-1]) == (0, "sent 4, nothing new 1 (of 5 readers)")
    base = load_factbase(tmp_path / "facts")
    monday, sunday = parse_week(WEEK)
    week = [f for f in base.facts.values() if f.date.precision == "day"
            and monday <= f.date.first_day <= sunday and not f.retracted]
    titles = {t.title: tid for tid, t in base.themes.items()}
    compared = 0
    for received in server.received:
        message = received.message
        (pdf,) = attachments(message).values()
        printed = untyped(poppler("pdftotext", pdf)).replace("- ", "")
        text = plain(message)
        listed = text.split("the developments this brief reports on each:\n")[1].split("\n\n")[0]
        for line in listed.splitlines():
            title, count = line[4:].rsplit(": ", 1)
            in_pdf = sum(1 for f in week if titles[title] in f.themes
                         and untyped(f.statement) in printed)
            assert (title, 0 if count == "nothing new" else int(count)) == (title, in_pdf)
            cell = "nothing new" if count == "nothing new" else count
            assert (f'padding:2px 16px 2px 0">{title.replace(chr(39), "&#39;")}</td>'
                    f'<td style="text-align:right;padding:2px 0">{cell}</td>') in html(message)
            compared += 1
    assert compared == 2 + 3 + 11 + 3  # every theme of every reader who got a brief


def test_the_archive_and_ledger_of_a_dry_run_stay_untouched(cli, marked):
    assert cli("send", "--week", WEEK, "--dry-run")[0] == 0
    assert not (marked.out / "archive").exists() and not marked.ledger.exists()


def test_list_sources_shows_a_withdrawn_source(cli, marked):
    import json

    extra(marked, "    reliability: D\n", WITHDRAWN)
    code, out, err = cli("list", "sources")
    row = [line for line in out.splitlines() if line.startswith("rumour-blog")]
    assert row and "withdrawn 2019-12-20" in row[0]
    assert out.splitlines()[0].split() == ["id", "publisher", "published", "rel.", "status",
                                           "facts", "title"]
    rows = {r["id"]: r for r in json.loads(cli("list", "sources", "--json")[1])}
    assert (rows["rumour-blog"]["status"], rows["rumour-blog"]["status_date"],
            rows["rumour-blog"]["status_note"]) == ("withdrawn", "2019-12-20", REASON)
    assert rows["wire-2019-12-14"]["status"] is None


def test_a_version_3_ledger_records_each_files_hash_with_its_message(cli, marked, smtp):
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    with sqlite3.connect(marked.ledger) as db:
        rows = db.execute("SELECT d.address, a.filename, a.sha256, a.size FROM attachments a "
                          "JOIN deliveries d USING (message_id) ORDER BY d.address").fetchall()
    db.close()
    for address, filename, sha256, size in rows:
        (received,) = server.mailbox.to(address)
        data = attachments(received.message)[filename]
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (sha256, size)
    assert len(rows) == 3


def test_a_corrected_word_edition_says_so_too(cli, marked, smtp):
    """--format docx,pdf: the .docx of a correction carries the same marks (read by
    python-docx and from its XML)."""
    import io
    import zipfile

    from docx import Document

    server = smtp()
    assert cli("send", "--week", WEEK, "--format", "docx,pdf")[0] == 0
    extra(marked, "claims 200 Russian", "claims that 200 Russian")
    assert cli("send", "--week", WEEK, "--format", "docx,pdf", "--resend-changed")[0] == 0
    (jane,) = [r.message for r in server.received[3:] if r.rcpt_tos == ["jane.doe@example.org"]]
    files = attachments(jane)
    assert list(files) == ["libya-weekly-2019-W50-corrected-1.docx",
                           "libya-weekly-2019-W50-corrected-1.pdf"]
    data = files["libya-weekly-2019-W50-corrected-1.docx"]
    document = Document(io.BytesIO(data))
    assert document.core_properties.title == ("Libya weekly brief, 9–15 December 2019 "
                                              "(corrected edition)")
    said = "Corrected edition — replaces the edition sent on 16 December 2019"
    texts = [p.text for p in document.paragraphs]
    assert said in texts  # the cover
    assert "What changed" in texts
    (changed,) = [t for t in texts if t.startswith("Changed: ")]
    assert "claims that 200 Russian" in changed and "(it read: " in changed
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {n: package.read(n).decode("utf-8") for n in package.namelist()
                 if n.endswith(".xml")}
    headers = [x for n, x in parts.items() if n.startswith("word/header")]
    footers = [x for n, x in parts.items() if n.startswith("word/footer")]
    assert any(said in x for x in headers)
    new = jane["X-Briefgen-Edition"].rsplit("-", 1)[1]
    assert all(f"Edition {new}, correcting edition " in x for x in footers)


def test_an_html_edition_sent_says_its_edition_too(cli, marked, smtp):
    """--format html: the attached page prints its edition line over the marking at its foot."""
    server = smtp()
    assert cli("send", "--week", WEEK, "--format", "html")[0] == 0
    message = server.mailbox.to("jane.doe@example.org")[0].message
    (part,) = message.iter_attachments()
    assert (part.get_filename(), part.get_content_type()) == ("libya-weekly-2019-W50.html",
                                                              "text/html")
    short = message["X-Briefgen-Edition"].rsplit("-", 1)[1]
    page = part.get_content()
    assert (f'<footer>\n<p class="edition">Edition {short}</p>\n<p class="marking">OFFICIAL</p>'
            "\n</footer>") in page
