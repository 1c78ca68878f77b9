"""Planning is plain functions over data: who gets which edition, and what changed (no I/O)."""

from __future__ import annotations

import subprocess
import sys
from email.headerregistry import Address

import pytest

from briefgen.distribution.ledger import Row
from briefgen.distribution.plan import Change, Edition, changes, decide, message_id
from briefgen.distribution.readers import Reader

SENDER = Address("Briefs", addr_spec="briefs@example.org")
JANE = Reader("Jane Doe", "jane.doe@example.org", None)
A, B = "2019-W50-aaaaaaaaaaaa", "2019-W50-bbbbbbbbbbbb"


def edition(eid: str) -> Edition:
    return Edition(None, brief=None, id=eid, summary=None)


def row(n: int, eid: str, status: str, seq: int | None = None, replaces=None,
        corrected=False) -> Row:
    return Row(n, eid, JANE.key, "2019-W50", JANE.address, JANE.name, "*", status, 1,
               f"<m{n}@example.org>", corrected, replaces, seq, f"2019-12-16T08:0{n}:00Z", None)


def plan(eid, rows, **flags):
    item = decide(JANE, edition(eid), rows, SENDER, **flags)
    return item.action, item.msgid, item.corrected, item.replaces, item.row, item.since


def test_a_first_message():
    assert plan(A, []) == ("send", message_id(A, JANE.key, SENDER), False, None, None, None)


def test_already_sent_is_the_latest_delivered_copy():
    assert plan(A, [row(1, A, "sent", 1)])[0] == "already sent"
    # A, then a correction B: the latest copy is B; A again is a change, not "already sent".
    rows = [row(1, A, "sent", 1), row(2, B, "sent", 2, "<m1@example.org>", True)]
    assert plan(B, rows)[0] == "already sent"
    assert plan(A, rows)[0] == "changed"
    action, msgid, corrected, replaces, resumed, since = plan(A, rows, resend_changed=True)
    assert (action, corrected, replaces, resumed, since) == ("send", True, "<m2@example.org>",
                                                            None, B)
    assert msgid == message_id(A, JANE.key, SENDER, 1) != message_id(A, JANE.key, SENDER)


def test_an_unfinished_message_is_resumed_with_its_message_id():
    for status in ("sending", "deferred", "failed"):
        assert plan(A, [row(1, A, status)]) == ("send", "<m1@example.org>", False, None, 1, None)
    correction = [row(1, A, "sent", 1), row(2, B, "deferred", None, "<m1@example.org>", True)]
    assert plan(B, correction) == ("send", "<m2@example.org>", True, "<m1@example.org>", 2, A)


def test_unknown_is_resent_only_when_asked():
    assert plan(A, [row(1, A, "unknown")])[0] == "unknown"
    assert plan(A, [row(1, A, "unknown")], retry_unknown=True) == (
        "send", "<m1@example.org>", False, None, 1, None)


@pytest.mark.parametrize("status", ["sending", "unknown"])
def test_a_message_that_may_have_arrived_makes_a_new_edition_a_correction(status):
    assert plan(B, [row(1, A, status)])[0] == "changed"
    assert plan(B, [row(1, A, status)], resend_changed=True)[2:4] == (True, "<m1@example.org>")


def test_a_message_that_never_arrived_does_not():
    assert plan(B, [row(1, A, "failed")])[:3] == ("send", message_id(B, JANE.key, SENDER), False)


def test_changes_by_fact_id_with_reasons():
    before = {"a": "Line a.", "b": "Line b.", "c": "Line c."}
    now = {"a": "Line a.", "c": "Line c, corrected.", "d": "Line d."}
    assert changes(before, now, {"b": "Withdrawn by its publisher."}) == [
        Change("withdrawn", "b", "Line b.", reason="Withdrawn by its publisher."),
        Change("changed", "c", "Line c, corrected.", "Line c."),
        Change("added", "d", "Line d.")]
    assert changes(None, now, {}) is None  # an edition sent before lines were recorded
    assert changes(now, now, {}) == []


def test_send_does_not_import_the_api():
    # a fresh interpreter: only there does sys.modules show what importing send loads
    code = ("import sys, briefgen.distribution.send, briefgen.distribution.plan; "
            "print('briefgen.api' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "False\n"


def test_an_empty_edition_is_not_sent_to_a_reader_who_got_nothing_this_week():
    empty = Edition(None, brief=None, id=A, summary=None, developments=0)
    assert decide(JANE, empty, [], SENDER).action == "nothing new"
    assert decide(JANE, empty, [], SENDER, allow_empty=True).action == "send"
    # a reader who got an earlier edition still gets the correction that withdraws its lines
    item = decide(JANE, empty, [row(1, B, "sent", 1)], SENDER, resend_changed=True)
    assert (item.action, item.corrected) == ("send", True)
