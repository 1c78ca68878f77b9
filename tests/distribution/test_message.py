"""Message building: headers that resist injection, bodies, attachments, reproducible bytes."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import replace
from datetime import datetime, timezone
from email.headerregistry import Address

import pytest

from briefgen.compose.model import Block, Run, Section
from briefgen.distribution.message import (attachment_part, build_message, content_hash,
                                           context, flatten, message_id, summarize)
from briefgen.distribution.readers import Reader

SENDER = Address("Libya briefs", addr_spec="briefs@example.org")
EDITION = "2019-W50-0123456789ab"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def weekly_brief():
    """A weekly brief model with key points that hold markup-like text, before the sections
    of its two themes."""
    from tests.conftest import sample_brief  # the repository's shared sample brief

    brief = sample_brief(name="weekly-2019-W50")
    key_points = (
        Block("heading", (Run("Key points"),), level=2),
        Block("bullet", (Run("Haftar said <b>“no”</b> & left"), Run(" "),
                         Run("B2", italic=True)) + brief.blocks[2].cites, fact_ids=("x",)),
    )
    sections = (Section("nato", "NATO security assistance", ("a", "b")),
                Section("haftar", "Haftar’s motives", ("c", "d", "x")))
    return replace(brief, title="Libya weekly brief, 9–15 December 2019", blocks=key_points + brief.blocks,
                   sections=sections)


def words_of(brief, desk, corrected=False):
    from briefgen.distribution.email_templates import EmailTemplates

    from .conftest import ROOT

    summary = summarize(brief, "2019-W50", "9–15 December 2019")
    correction = ("Corrected edition — replaces the edition sent on 16 December 2019"
                  if corrected else "")
    return EmailTemplates(ROOT / "templates").render(context(
        summary, EDITION, brief.name, desk, corrected, issued="16 December 2019",
        number=int(corrected), correction=correction,
        what_changed=({"text": "Changed: a line (it read: the line)", "runs": ()},)
        if corrected else ()))


def build(name="Jane Doe", address="jane.doe@example.org", corrected=False, replaces=None,
          attachments=None, desk=None):
    brief = weekly_brief()
    desk = desk or {"region": "Libya"}  # as briefgen.toml's [desk] table gives it
    words = words_of(brief, desk, corrected)
    reader = Reader(name, address, None)
    parts = attachments if attachments is not None else [
        attachment_part(PDF, "libya-weekly-2019-W50.pdf")]
    return build_message(reader, words, parts, sender=SENDER,
                         msgid=message_id(EDITION, reader.key, SENDER), edition=EDITION,
                         corrected=corrected, replaces=replaces,
                         date=datetime(2019, 12, 16, 8, 0, tzinfo=timezone.utc))


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


@pytest.mark.parametrize("name", [
    "Jane Doe",
    'O\'Brien, "Jo" <jo@evil.example>',
    "Siobhán Ó Súilleabháin",
    "Ħaftar, Khalifa",
    "مركز المستقبل",
    "x" * 200,
])
def test_display_names_survive_the_trip_and_stay_one_address(name):
    raw = flatten(build(name=name))
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    assert all(len(line) <= 998 for line in headers.split(b"\r\n"))
    to = parse(raw)["To"]
    assert len(to.addresses) == 1
    assert (to.addresses[0].display_name, to.addresses[0].addr_spec) == (
        name, "jane.doe@example.org")


def test_a_line_break_in_a_name_never_reaches_a_header():
    # The readers file rejects it first (test_readers); the email package refuses it too.
    with pytest.raises(ValueError):
        build(name="Eve\r\nBcc: victim@example.org")


def test_headers_and_structure():
    msg = parse(flatten(build()))
    assert msg["From"] == "Libya briefs <briefs@example.org>"
    assert msg["To"] == "Jane Doe <jane.doe@example.org>"
    assert msg["Subject"] == "Libya weekly brief, 9–15 December 2019"
    assert msg["Date"] == "Mon, 16 Dec 2019 08:00:00 +0000"
    assert re.fullmatch(r"<briefgen\.2019-W50-0123456789ab\.[0-9a-f]{20}@example\.org>",
                        msg["Message-ID"])
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Briefgen-Edition"] == EDITION
    assert msg["References"] is None
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html",
        "application/pdf"]
    (attachment,) = msg.iter_attachments()
    assert attachment.get_filename() == "libya-weekly-2019-W50.pdf"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_content() == PDF


def test_bodies_open_with_the_edition_then_the_themes_and_escape_html():
    msg = parse(flatten(build(desk={"region": "Libya", "name": "Libya desk",
                                    "classification": "OFFICIAL"})))
    assert msg["Subject"] == "[OFFICIAL] Libya weekly brief, 9–15 December 2019"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    page = msg.get_body(("html",)).get_content()
    assert text.split("\n\n")[:5] == [
        "OFFICIAL", "Libya weekly brief, 9–15 December 2019\nLibya desk · issued 16 December 2019",
        "Key points\n  - Haftar said <b>“no”</b> & left (B2) [1]",
        "Your themes, with the developments this brief reports on each:\n"
        "  - NATO security assistance: 2\n  - Haftar’s motives: 3",
        "Notes (numbered as in the attached brief, which quotes the passages):\n  [1] S1"]
    assert text.endswith("\n-- \nLibya desk · Libya weekly brief, 9–15 December 2019 · issued 16 December "
                         "2019\nOFFICIAL\n")
    assert "briefgen" not in text and EDITION not in text  # the desk and edition, not the tool
    # the HTML says the same, marked at top and bottom, escaped, with headed table columns
    assert page.startswith("<!DOCTYPE html>")
    assert page.count(">OFFICIAL</p>") == 2
    assert "Haftar said &lt;b&gt;“no”&lt;/b&gt; &amp; left <em>B2</em>" in page
    assert "<b>" not in page
    assert '<th scope="col"' in page
    assert ">NATO security assistance</td><td" in page
    assert '<a href="#note-1" id="ref-1" aria-label="Note 1"' in page
    assert '<li id="note-1" value="1"' in page
    assert 'href="https://example.org/nato-watch?a=1&amp;b=2"' in page  # source 1's address


def test_corrected_edition_says_so_and_refers_to_the_first():
    msg = parse(flatten(build(corrected=True, replaces="<briefgen.old@example.org>")))
    assert msg["Subject"] == "Libya weekly brief, 9–15 December 2019 (corrected)"
    assert msg["References"] == "<briefgen.old@example.org>"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert ("Corrected edition — replaces the edition sent on 16 December 2019.\n\n"
            "What changed since the edition you received:\n"
            "  - Changed: a line (it read: the line)\n") in text
    assert text.endswith("Libya weekly brief, 9–15 December 2019, corrected edition 1 · issued 16 "
                         "December 2019\n")


def test_messages_are_reproducible_and_match_the_standard_generator():
    first, second = build(), build()
    assert flatten(first) == flatten(second) == bytes(first)
    other = build(address="omar@example.org")
    assert flatten(other) != flatten(first)


def test_message_ids_identify_edition_and_reader():
    a = message_id(EDITION, "jane.doe@example.org", SENDER)
    assert a == message_id(EDITION, "jane.doe@example.org", SENDER)
    assert a != message_id(EDITION, "omar@example.org", SENDER)
    assert a != message_id("2019-W50-ba9876543210", "jane.doe@example.org", SENDER)


def test_content_hash_follows_what_the_reader_reads():
    brief = weekly_brief()
    assert content_hash(brief) == content_hash(replace(brief, created=datetime(2030, 1, 1,
                                                                             tzinfo=timezone.utc)))
    moved = replace(brief, blocks=tuple(replace(b, origin="elsewhere.j2:99") for b in brief.blocks))
    assert content_hash(moved) == content_hash(brief)
    edited = list(brief.blocks)
    edited[1] = replace(edited[1], inlines=(Run("Haftar said no"),) + edited[1].inlines[1:])
    assert content_hash(replace(brief, blocks=tuple(edited))) != content_hash(brief)


def test_word_attachment_type():
    part = attachment_part(b"PK\x03\x04 docx", "libya-weekly-2019-W50.docx")
    assert part.get_content_type() == \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    msg = parse(flatten(build(attachments=[part])))
    assert [a.get_filename() for a in msg.iter_attachments()] == ["libya-weekly-2019-W50.docx"]


def test_non_ascii_domains_are_sent_as_idna(tmp_path):
    from briefgen.distribution.readers import load_readers

    from .conftest import THEMES, write

    path = write(tmp_path / "readers.yaml", """
        readers:
          - name: Jörg Müller
            email: joerg@müller.example.org
          - name: Jörg Müller
            email: jörg@example.org
        """)
    from briefgen.errors import DiagnosticsError
    with pytest.raises(DiagnosticsError) as caught:
        load_readers(path, THEMES)
    assert [str(d).split(": ", 1)[1] for d in caught.value.diagnostics] == [
        "error: [jörg@example.org] email: 'jörg@example.org' is not a valid email address: "
        "Internationalized characters before the @-sign are not supported: 'ö'. "
        "(hint: write the address as name@example.org)"]
    raw = flatten(build(address="joerg@xn--mller-kva.example.org", name="Jörg Müller"))
    assert raw.isascii()
    assert parse(raw)["To"].addresses[0].display_name == "Jörg Müller"


def test_email_words_come_from_the_desk_templates_and_settings(cli, project, smtp):
    from .conftest import WEEK, reader_lines, write

    write(project.root / "briefgen.toml", '[desk]\nname = "North Africa desk"\nregion = "Maghreb"\n')
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org")))
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    message = server.received[0].message
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"] == "Maghreb weekly brief, 9–15 December 2019"
    assert "Attached is the Maghreb weekly brief for 9–15 December 2019" in text
    assert text.replace("\r\n", "\n").endswith(
        "\n-- \nNorth Africa desk · Maghreb weekly brief, 9–15 December 2019 · issued 16 December "
        "2019\n")
    assert [a.get_filename() for a in message.iter_attachments()] == [
        "maghreb-weekly-2019-W50.pdf"]


@pytest.mark.parametrize("template, expected", [
    ("Subject: {{ title }}\nAttachment: x\n\n{{ no_such_thing }}\n",
     "error: templates/email.txt.j2:4: template error: 'no_such_thing' is undefined\n"),
    ("Subject: {{ title }}\nAttachment: x\n\n{% for x in %}\n",
     "error: templates/email.txt.j2:4: template error: Expected an expression, got 'end of "
     "statement block'\n"),
    ("Subject: {{ title }}\n\nbody\n",
     "error: templates/email.txt.j2:1: template error: email.txt.j2 must start with the lines "
     "'Subject: ...' and 'Attachment: ...' and a blank line (missing: Attachment)\n"),
    ("Subject: x\nAttachment: x\n\n{{ 1 / 0 }}\n",
     "error: templates/email.txt.j2:4: template error: ZeroDivisionError: division by zero\n"),
])
def test_a_broken_email_template_is_located(cli, project, template, expected):
    from .conftest import WEEK, reader_lines

    (project.root / "templates" / "email.txt.j2").write_text(template, encoding="utf-8")
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org")))
    assert cli("send", "--week", WEEK, "--dry-run") == (1, "", expected)


def test_a_desk_folder_without_email_templates_uses_the_shipped_ones(cli, project):
    from .conftest import WEEK, reader_lines

    assert not list((project.root / "templates").glob("email.*"))
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org")))
    code, out, err = cli("send", "--week", WEEK, "--dry-run")
    assert code == 0
    raw = (project.out / "outbox" / WEEK / "jane.doe@example.org.eml").read_bytes()
    assert b"Subject: Libya weekly brief" in raw


def test_a_reader_whose_themes_have_nothing_new_gets_no_empty_themes_list():
    from briefgen.distribution.message import Summary
    from briefgen.distribution.email_templates import EmailTemplates

    from .conftest import ROOT

    summary = Summary("Libya weekly brief, 9–15 December 2019", "2019-W50", "9 – 15 December 2019", (), ())
    words = EmailTemplates(ROOT / "templates").render(context(summary, EDITION, "weekly-2019-W50",
                                                              {}, issued="16 December 2019"))
    assert "themes," not in words.text and "Your themes" not in words.html
    assert ("issued 16 December 2019\n\nNo new developments this week in the themes you "
            "follow.\n") in words.text
    assert ("issued 16 December 2019</p>\n<p>No new developments this week in the themes "
            "you follow.</p>") in words.html


def test_without_a_region_the_email_names_none():
    """The packaged email templates serve any desk: no region of their own."""
    brief = weekly_brief()
    words = words_of(brief, {})
    assert words.attachment == brief.name
    assert "Attached is the weekly brief for 9–15 December 2019" in words.text
    assert "Attached is the weekly brief for 9–15 December 2019" in words.html
