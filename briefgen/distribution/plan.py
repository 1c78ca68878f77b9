"""Who gets which edition, and why: pure functions over the ledger's rows (no I/O).

Per reader, against the rows the ledger holds for the week:
- a message of this edition left unfinished since the reader's latest delivered copy
  ('sending', 'deferred', 'failed') is resumed, same Message-ID, same correction flags;
  one left 'unknown' is reported and resent only with `retry_unknown` (same Message-ID);
- the reader's *latest* delivered copy is this edition -> "already sent";
- the reader may hold another edition (latest 'sent', or a later message 'sending' or
  'unknown') -> "changed": reported, and sent as a correction only with `resend_changed`;
- otherwise -> a first message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import MIMEPart

from briefgen.distribution.readers import Reader

MAYBE_DELIVERED = ("sending", "unknown")


@dataclass
class Edition:
    """One distinct brief: the same themes give the same edition, however many readers."""

    themes: tuple[str, ...] | None
    brief: object  # compose.model.Brief
    id: str  # e.g. 2019-W50-3f2a9c0d1e4b
    summary: object  # message.Summary
    lines: dict[str, str] = field(default_factory=dict)  # fact/judgment id -> printed line
    places: dict[str, str] = field(default_factory=dict)  # id -> the heading it is under
    developments: int = 1  # facts dated in the week in these themes (0: an empty brief)


@dataclass
class Rendition:
    """An edition as some readers get it: the original, or one correction of it (the brief
    says which edition it replaces): its words, its files and their MIME parts, built once."""

    brief: object  # the brief as sent (compose.front.edition)
    words: object  # email_templates.EmailText
    files: list[tuple[str, bytes]]  # (file name, the exact bytes attached)
    parts: list[MIMEPart]
    body: MIMEPart


@dataclass
class Item:
    """What happens for one reader in this run."""

    reader: Reader
    edition: Edition
    action: str  # "send" | "already sent" | "nothing new" | "changed" | "unknown"
    msgid: str
    corrected: bool = False
    replaces: str | None = None  # Message-ID of the message a correction replaces
    row: int | None = None  # the ledger row of a message being resumed
    since: str | None = None  # the edition a correction replaces (for "what changed")
    updated: str | None = None  # when an 'unknown' message was last tried
    changes: list | None = None  # a correction's lines withdrawn, added, changed (if known)
    number: int = 0  # a correction: the reader's 1st, 2nd... of the week (its file name says)
    sent: object = None  # a correction: the day the edition it replaces was sent (a date)
    rendition: Rendition | None = None  # what the message carries, once rendered


def message_id(edition: str, reader_key: str, sender: Address, n: int = 0) -> str:
    """The same (edition, reader) always gets the same Message-ID: a duplicate is recognisable.

    `n` counts earlier messages of this edition to this reader (an edition sent again after
    a reverted correction is a new message, with a new Message-ID).
    """
    seed = f"{edition}\n{reader_key}" + (f"\n{n}" if n else "")
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:20]
    return f"<briefgen.{edition}.{digest}@{sender.domain or 'localhost'}>"  # domain: ASCII


def decide(reader: Reader, edition: Edition, rows: list, sender: Address, *,
           resend_changed: bool = False, retry_unknown: bool = False,
           allow_empty: bool = False) -> Item:
    """One reader's item, from the ledger rows of that reader for the week (oldest first).

    A reader whose themes have no development this week and who got nothing for it yet is not
    sent an empty brief ("nothing new") unless `allow_empty`; one who got an earlier edition
    still gets the correction that withdraws its lines."""
    delivered = [r for r in rows if r.status == "sent"]
    latest = max(delivered, key=lambda r: r.sent_seq or 0, default=None)
    after = latest.id if latest else 0
    pending = [r for r in rows if r.edition == edition.id and r.status != "sent"
               and r.id > after]
    if pending:
        row = pending[-1]
        since = next((r.edition for r in rows if r.message_id == row.replaces), None)
        action = "unknown" if row.status == "unknown" and not retry_unknown else "send"
        return Item(reader, edition, action, row.message_id, row.corrected, row.replaces,
                    row.id, since, row.updated,
                    number=_corrections(rows, row.id) + 1 if row.corrected else 0)
    if latest is not None and latest.edition == edition.id:
        return Item(reader, edition, "already sent", latest.message_id)
    maybe = [r for r in rows if r.status in MAYBE_DELIVERED and r.id > after]
    previous = maybe[-1] if maybe else latest
    n = sum(r.edition == edition.id for r in rows)
    msgid = message_id(edition.id, reader.key, sender, n)
    if previous is None:
        if not edition.developments and not allow_empty:
            return Item(reader, edition, "nothing new", msgid)
        return Item(reader, edition, "send", msgid)
    action = "send" if resend_changed else "changed"
    return Item(reader, edition, action, msgid, True, previous.message_id,
                since=previous.edition, number=_corrections(rows) + 1)


def _corrections(rows: list, before: int | None = None) -> int:
    """How many corrections the reader may hold for the week (before row `before`)."""
    return sum(1 for r in rows if r.corrected and r.status in ("sent", *MAYBE_DELIVERED)
               and (before is None or r.id < before))


def brief_lines(brief) -> tuple[dict[str, str], dict[str, str]]:
    """Fact/judgment id -> the line that printed it (first place it appears), one line each;
    and id -> the heading that line stands under ("" before the first heading)."""
    lines: dict[str, str] = {}
    places: dict[str, str] = {}
    heading = ""
    for block in brief.blocks:
        if block.kind == "heading":
            heading = " ".join(block.text.split())
            continue
        ids = block.fact_ids or tuple(c.fact_id for c in block.cites)
        for item in ids:
            if item not in lines:
                lines[item] = " ".join(block.text.split())
                places[item] = heading
    return lines, places


@dataclass(frozen=True)
class Change:
    """One line of a correction: what happened to it and, where the fact base says, why."""

    kind: str  # "withdrawn" | "added" | "changed" | "moved"
    item: str
    text: str  # the line now (the line as it was, for a withdrawn one)
    before: str | None = None  # the line as the reader got it (changed lines)
    reason: str | None = None
    part: str | None = None  # moved lines: the heading the line is under now
    before_part: str | None = None  # ... and the one it was under


def changes(before: dict[str, str] | None, now: dict[str, str], reasons: dict[str, str],
            was: dict[str, str] | None = None, is_: dict[str, str] | None = None
            ) -> list[Change] | None:
    """The diff of two editions by fact id; None when the earlier one was not recorded.

    `was` and `is_` (id -> heading, where known) make a line that stands under another heading,
    the same words, a "moved" one: a line that came into the key points, or left them."""
    if before is None:
        return None
    was, is_ = was or {}, is_ or {}
    out = [Change("withdrawn", i, t, reason=reasons.get(i)) for i, t in before.items()
           if i not in now]
    out += [Change("changed", i, t, before[i], reasons.get(i)) for i, t in now.items()
            if i in before and before[i] != t]
    out += [Change("moved", i, t, reason=reasons.get(i), part=is_[i], before_part=was[i])
            for i, t in now.items() if i in before and before[i] == t
            and was.get(i) is not None and is_.get(i) is not None and was[i] != is_[i]]
    out += [Change("added", i, t, reason=reasons.get(i)) for i, t in now.items()
            if i not in before]
    return out


def reasons(base) -> dict[str, str]:
    """Fact id -> why it changed, where the fact base says: its sources' status notes."""
    out = {}
    for fid, fact in base.facts.items():
        notes = [s.status_note for c in fact.citations
                 if (s := base.sources.get(c.source)) is not None and s.status and s.status_note]
        if notes:
            out[fid] = " ".join(dict.fromkeys(notes))
    return out
