"""Hardening round 2 for `send` (issue 28 items 1, 2 and 15): header injection through RFC 2047
encoded words, SIGTERM and SIGHUP during a send, and a reply after DATA that is not a reply."""

from __future__ import annotations

import signal
import sqlite3

import pytest

from .conftest import WEEK, Mailbox, Received, reader_lines, write
from .test_faults import READERS, rows

CRLF_BCC = "=?utf-8?b?Qm9zcw0KQmNjOiBldmlsQGF0dGFja2VyLmV4YW1wbGU=?="  # "Boss\r\nBcc: evil@..."
LIST = "=?utf-8?q?Finance_<finance@attacker.example>,_X?="  # another recipient, once decoded


def leaked(received: list[Received]) -> bool:
    """Whether anything reached the attacker: as a recipient, or as a header of a message."""
    return any("attacker" in " ".join(r.rcpt_tos) or b"\r\nBcc:" in r.raw
               or b"finance@attacker" in r.raw.split(b"\r\n\r\n")[0] for r in received)


# --- 1: encoded words -----------------------------------------------------------------------


@pytest.mark.parametrize("name, message", [
    (CRLF_BCC, "contains a line break (U+000D) once its encoded words are decoded "
               "('Boss\\r\\nBcc: evil@attacker.example')"),
    (LIST, f"holds the encoded word '{LIST}', which decodes to an address or a list "
           "('Finance <finance@attacker.example>, X')"),
])
def test_an_encoded_word_in_a_readers_name_is_refused_by_check_and_send(cli, project, smtp,
                                                                        name, message):
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org"),
                                 (name, "boss@example.org")))
    server = smtp()
    expected = (f"readers.yaml:4:11: error: [boss@example.org] name: {message} (hint: write the "
                "name itself, not an RFC 2047 encoded word (=?...?=))")
    code, out, err = cli("check")
    assert (code, err.splitlines()[0]) == (1, expected)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, err.splitlines()[0]) == (1, expected)
    assert server.received == [] and not project.ledger.exists()


def test_a_harmless_encoded_word_and_commas_in_names_still_pass(cli, project, smtp):
    project.readers(reader_lines(("O'Neill, Siobhán", "s.oneill@example.org"),
                                 ("=?utf-8?q?Jos=C3=A9_Ruiz?=", "jose@example.org")))
    server = smtp()
    assert cli("send", "--week", WEEK) == (0, "", "sent 2 (of 2 readers)\n")
    names = sorted(r.message["To"].addresses[0].display_name for r in server.received)
    assert names == ["José Ruiz", "O'Neill, Siobhán"]
    assert all(len(r.message["To"].addresses) == 1 for r in server.received)


def test_an_encoded_word_in_briefgen_toml_never_reaches_the_subject(cli, project, smtp):
    write(project.root / "briefgen.toml", f'[desk]\nregion = "Libya {CRLF_BCC}"\n')
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org")))
    server = smtp()
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "briefgen.toml:2:10: error: desk.region: contains a line break (U+000D) once its encoded "
        "words are decoded ('Libya Boss\\r\\nBcc: evil@attacker.example'): the e-mail's subject "
        "would break (hint: write the text itself, not an RFC 2047 encoded word (=?...?=))",
        "error: briefgen.toml has 1 error, 0 warnings"]
    assert server.received == [] and not leaked(server.received)


def test_a_subject_template_that_decodes_to_a_line_break_is_refused(cli, project, smtp):
    write(project.root / "templates" / "email.txt.j2",
          f"Subject: {{{{ title }}}} {CRLF_BCC}\nAttachment: brief\n\nHello\n")
    write(project.root / "templates" / "email.html.j2", "<p>Hello</p>\n")
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org")))
    server = smtp()
    code, out, err = cli("send", "--week", WEEK)
    assert (code, server.received) == (1, [])
    assert err.startswith("error: templates/email.txt.j2:1: error: the subject 'Libya weekly "
                          "brief, 9–15 December 2019 =?utf-8?b?")
    assert "contains a line break (U+000D) once its encoded words are decoded" in err


@pytest.mark.parametrize("sender, message", [
    (f"{CRLF_BCC} <briefs@example.org>",
     "contains a line break (U+000D) once its encoded words are decoded"),
    (f"{LIST} <briefs@example.org>", "which decodes to an address or a list"),
])
def test_an_encoded_word_in_briefgen_from_is_refused(cli, project, smtp, monkeypatch, sender,
                                                     message):
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org")))
    server = smtp()
    monkeypatch.setenv("BRIEFGEN_FROM", sender)
    code, out, err = cli("send", "--week", WEEK)
    assert (code, server.received) == (1, [])
    assert err.startswith(f"error: BRIEFGEN_FROM='{sender}' ") and message in err


def test_briefgen_from_is_one_address():
    from briefgen.distribution.settings import _sender
    from briefgen.errors import BriefgenError

    with pytest.raises(BriefgenError, match="is not a valid address"):
        _sender("a@example.org, b@example.org", False)
    assert str(_sender("Desk <desk@example.org>", False)) == "Desk <desk@example.org>"


def test_a_header_that_would_break_is_never_written():
    """The last guard, below the refusals: a header that would start another header line."""
    from email.headerregistry import Address

    from briefgen.distribution.message import build_message
    from briefgen.distribution.readers import Reader

    from .test_message import SENDER, words_of, weekly_brief

    words = words_of(weekly_brief(), {})
    # Python 3.13 (and the 3.12 security releases) refuse such a name in Address itself; older
    # ones leave it to briefgen's own guard. Either way, nothing is written.
    refused = "address parts cannot contain CR or LF"
    with pytest.raises(ValueError, match=f"the To header would break into another header|{refused}"):
        build_message(Reader(CRLF_BCC, "boss@example.org", None), words, [], sender=SENDER,
                      msgid="<m@example.org>", edition="2019-W50-0123456789ab")
    with pytest.raises(ValueError, match=f"the From header would|{refused}"):
        build_message(Reader("Boss", "boss@example.org", None), words, [],
                      sender=Address(CRLF_BCC, addr_spec="briefs@example.org"),
                      msgid="<m@example.org>", edition="2019-W50-0123456789ab")


# --- 2: SIGTERM and SIGHUP ------------------------------------------------------------------


# test_faults.test_a_signal_while_waiting_for_the_reply_records_the_message_as_unknown:
# SIGTERM and SIGHUP as Ctrl-C.


def test_signal_handlers_are_restored_after_a_send(cli, project, smtp):
    project.readers(READERS)
    smtp()
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    assert cli("send", "--week", WEEK)[0] == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before


# --- 15: a reply after DATA that is not a reply -----------------------------------------------


def test_an_unparseable_reply_after_data_is_unknown_not_a_failure(cli, project, smtp):
    project.readers(READERS)
    server = smtp(Mailbox(data_replies=["xyz"]))
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[0].startswith(
        "error: jane.doe@example.org: delivery unknown: no reply after the message was sent: "
        f"127.0.0.1:{server.port} answered with a line that is not an SMTP reply (not sent "
        "again: ask the reader, then run send --retry-unknown to resend <briefgen.")
    assert lines[1] == "sent 2, unknown 1 (of 3 readers)"
    assert rows(project)[0][:2] == ("jane.doe@example.org", "unknown")
    code, out, err = cli("send", "--week", WEEK)  # not resent, not a permanent failure
    assert code == 1 and err.splitlines()[-1] == "sent 0, already sent 2, unknown 1 (of 3 readers)"
    assert server.mailbox.data_commands == 3
    with sqlite3.connect(project.ledger) as db:
        assert db.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'failed'"
                          ).fetchone() == (0,)
    db.close()
