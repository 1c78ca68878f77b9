"""Build one reader's email: headers that resist injection, text and HTML bodies (what the
brief's model says of the edition), the brief attached."""

from __future__ import annotations

import hashlib
import io
import json
import weakref
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime

from briefgen.compose.model import Brief, Run
from briefgen.distribution.headers import SMTP, as_written
from briefgen.distribution.plan import message_id  # noqa: F401 - part of this module's API
from briefgen.distribution.readers import Reader
from briefgen.distribution.email_templates import EmailText

MIME_TYPES = {
    ".pdf": ("application", "pdf"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".html": ("text", "html"),
}


@dataclass(frozen=True)
class Line:
    """A line of the edition's opening part, as the e-mail shows it: its words (citation marks
    left out) and the numbers of its notes, as the attached brief numbers them."""

    kind: str  # "heading" | "bullet" | "judgment" | "paragraph" | "note"
    runs: tuple[Run, ...]
    notes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Source:
    """A source a note of the opening cites, as the e-mail names it: its label and number in
    the attached brief's Sources annex ("S3"), and its web address when it has one (http or
    https)."""

    number: int
    label: str
    publisher: str
    title: str
    published: str
    url: str = ""


@dataclass(frozen=True)
class Note:
    """A note of the opening's lines, as the e-mail gives it: the sources it quotes (the quotes
    themselves are in the attached brief, under the same number)."""

    number: int
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Summary:
    """What the e-mail says of a brief, from its model: title, period, the opening part (the
    blocks before the first theme's heading: the key developments and the judgments the week
    touches) with their notes, and each theme's developments as the brief counts them."""

    title: str
    week: str
    period: str
    sections: tuple[tuple[str, int], ...]  # (theme title, developments the brief prints)
    key_points: tuple[tuple[Run, ...], ...]  # the opening's bullets (runs), for older templates
    opening: tuple[Line, ...] = ()
    notes: tuple[Note, ...] = ()
    sources: tuple[Source, ...] = ()  # those the notes quote, by their number in the annex


def content_hash(brief: Brief) -> str:
    """A hash of what the reader reads: title block, every line and citation, the annex.

    Leaves out the date of issue (`created` and the cover lines that show it), template line
    numbers and the writers' output, so a rebuilt PDF, a new issue date or a reformatted
    template that says the same thing is the same edition.
    """
    blocks = []
    for block in brief.blocks:
        item = asdict(block)
        item.pop("origin", None)
        for inline in item["inlines"]:
            if "source" in inline:
                inline["source"] = inline["source"]["id"]
        blocks.append(item)
    record = {"name": brief.name, "title": brief.title, "subtitle": brief.subtitle,
              "subject": brief.subject, "keywords": list(brief.keywords), "blocks": blocks,
              "sources": [asdict(s) for s in brief.sources], "language": brief.language}
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def summarize(brief: Brief, week: str, period: str) -> Summary:
    """What the e-mail says of a brief: the sections (each theme and the developments of it
    the brief prints, brief.sections) and the opening part (every block before the first
    heading that is a theme's title), with the sources of its lines' notes."""
    titles = {section.title for section in brief.sections}
    opening: list[Line] = []
    cites = []
    for block in brief.blocks:
        if block.kind == "heading" and block.text.strip() in titles:
            break
        runs = tuple(i for i in block.inlines if isinstance(i, Run))
        opening.append(Line(block.kind, runs, tuple(c.number for c in block.cites)))
        cites += block.cites
    quoted = {c.source.number: c.source for cite in cites for c in cite.citations}
    sources = {n: _source(quoted[n]) for n in sorted(quoted)}
    notes = tuple(Note(cite.number, tuple(sources[n] for n in sorted(
        {c.source.number for c in cite.citations}))) for cite in cites)
    return Summary(brief.title, week, period,
                   tuple((s.title, len(s.facts)) for s in brief.sections),
                   tuple(line.runs for line in opening if line.kind == "bullet"),
                   tuple(opening), notes, tuple(sources.values()))


def _source(entry) -> Source:
    url = entry.url or ""
    return Source(entry.number, entry.label or str(entry.number), entry.publisher, entry.title,
                  entry.published, url if url.startswith(("https://", "http://")) else "")


def context(summary: Summary, edition: str, brief_name: str, desk: dict,
            corrected: bool = False, changes=None, *, issued: str = "", number: int = 0,
            correction: str = "", what_changed: tuple = ()) -> dict:
    """What the e-mail templates see (see templates/email.txt.j2)."""
    return {"title": summary.title, "week": summary.week, "period": summary.period,
            "sections": summary.sections, "key_points": summary.key_points,
            "opening": summary.opening, "notes": summary.notes, "sources": summary.sources,
            "marking": desk.get("classification") or "", "issued": issued,
            "corrected": corrected, "number": number, "correction": correction,
            "changes": changes, "what_changed": what_changed, "edition": edition,
            "brief_name": brief_name, "desk": dict(desk)}


def attachment_part(data: bytes, filename: str) -> MIMEPart:
    """An attachment, encoded once and shared by every message that carries the same file."""
    suffix = "." + filename.rsplit(".", 1)[-1]
    maintype, subtype = MIME_TYPES.get(suffix, ("application", "octet-stream"))
    part = MIMEPart(policy=SMTP)
    part.set_content(data, maintype, subtype, disposition="attachment", filename=filename)
    return _freeze(part)


def body_part(wording: EmailText, seed: str) -> MIMEPart:
    """The text and HTML bodies (multipart/alternative), shared by an edition's messages;
    `seed` makes the MIME boundaries (the same seed for the same words)."""
    part = MIMEPart(policy=SMTP)
    part.set_content(wording.text, cte="quoted-printable")
    part.add_alternative(wording.html, subtype="html", cte="quoted-printable")
    _fix_boundaries(part, seed)
    return _freeze(part)


def build_message(reader: Reader, wording: EmailText, attachments: list[MIMEPart], *,
                  sender: Address, msgid: str, edition: str, corrected: bool = False,
                  replaces: str | None = None, date: datetime | None = None,
                  body: MIMEPart | None = None) -> EmailMessage:
    """One reader's message. Everything but the Date header is a function of the inputs.

    `body` (from body_part) and `attachments` may be shared by many messages: only the
    headers are the reader's own, so each further message costs little more than its headers.
    """
    msg = EmailMessage(policy=SMTP)
    msg["From"] = _shared("From", sender)
    msg["To"] = Address(display_name=reader.name, addr_spec=reader.address)
    as_written("To", msg["To"], addresses=1)  # one reader, one header, however named
    msg["Subject"] = _shared("Subject", wording.subject)
    msg["Date"] = format_datetime(date or datetime.now(timezone.utc))
    msg["Message-ID"] = msgid
    if replaces:
        msg["References"] = replaces
    msg["Auto-Submitted"] = _shared("Auto-Submitted", "auto-generated")
    msg["X-Briefgen-Edition"] = _shared("X-Briefgen-Edition", edition)
    msg["MIME-Version"] = _shared("MIME-Version", "1.0")
    token = hashlib.sha256(f"{edition}/{corrected}/mixed".encode()).hexdigest()[:32]
    msg["Content-Type"] = _shared("Content-Type",
                                  f'multipart/mixed; boundary="=_briefgen_mixed_{token}"')
    msg.attach(body or body_part(wording, f"{edition}/{corrected}"))
    for part in attachments:
        msg.attach(part)
    return msg


def flatten(msg: EmailMessage) -> bytes:
    """The message as sent (CRLF line ends, ASCII). Shared parts are serialised once, reused.

    Gives the same bytes as `bytes(msg)` under policy SMTP (addresses are ASCII: readers.py
    takes no SMTPUTF8 addresses, and non-ASCII names become RFC 2047 encoded words;
    tests/internals/test_email.py).
    """
    out = io.BytesIO()
    _SharingGenerator(out, policy=SMTP).flatten(msg, unixfrom=False)
    return out.getvalue()


_FLAT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # part -> its SMTP bytes
_HEADERS: dict[tuple[str, str], object] = {}  # (name, value) -> parsed header object


def _shared(name: str, value) -> object:
    """A header object parsed once and reused by every message that has the same header."""
    key = (name, str(value))
    header = _HEADERS.get(key)
    if header is None:
        if len(_HEADERS) > 4096:
            _HEADERS.clear()
        header = SMTP.header_factory(name, value)
        as_written(name, header, addresses=1 if name == "From" else None)
        _HEADERS[key] = header
    return header


def _freeze(part: MIMEPart) -> MIMEPart:
    out = io.BytesIO()
    BytesGenerator(out, policy=SMTP).flatten(part, unixfrom=False)
    _FLAT[part] = out.getvalue()
    return part


class _SharingGenerator(BytesGenerator):
    """A BytesGenerator that writes a frozen part's bytes instead of serialising it again
    (into its output file, the email package's private `_fp`)."""

    def flatten(self, msg, unixfrom=False, linesep=None):
        data = _FLAT.get(msg)
        if data is not None and self.policy is SMTP and linesep in (None, "\r\n"):
            self._fp.write(data)
            return
        super().flatten(msg, unixfrom=unixfrom, linesep=linesep)


def _fix_boundaries(part: MIMEPart, seed: str) -> None:
    """MIME boundaries from the content instead of random numbers: reproducible messages."""
    for n, sub in enumerate(p for p in part.walk() if p.is_multipart()):
        token = hashlib.sha256(f"{seed}/{n}".encode()).hexdigest()[:32]
        sub.set_boundary(f"=_briefgen_{n}_{token}")
