"""Build one reader's email: headers that resist injection, text and HTML bodies, the brief."""

from __future__ import annotations

import hashlib
import io
import json
import weakref
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime

from briefgen.compose.model import Brief, Run
from briefgen.distribution.plan import message_id  # noqa: F401 - part of this module's API
from briefgen.distribution.readers import Reader
from briefgen.distribution.email_templates import EmailText

MIME_TYPES = {
    ".pdf": ("application", "pdf"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


@dataclass(frozen=True)
class Summary:
    """What the email body says about a brief: its title, period, sections and key points."""

    title: str
    week: str
    period: str
    sections: tuple[tuple[str, int], ...]  # (theme title, number of developments)
    key_points: tuple[tuple[Run, ...], ...]  # each point's text runs, citation marks left out


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


def summarize(brief: Brief, week: str, period: str,
              sections: tuple[tuple[str, int], ...]) -> Summary:
    """What the email says of a brief: `sections` are (theme title, developments), as the
    brief counts them (each development once, under its theme, key point or not; see
    send.compose_editions); the key points are the bullets under any heading that is not a
    theme's title (the weekly template's key points)."""
    titles = {title for title, _ in sections}
    key_points: list[tuple[Run, ...]] = []
    in_theme = False
    for block in brief.blocks:
        if block.kind == "heading":
            in_theme = block.text in titles
        elif block.kind == "bullet" and not in_theme:
            key_points.append(tuple(i for i in block.inlines if isinstance(i, Run)))
    return Summary(brief.title, week, period, tuple(sections), tuple(key_points))


def context(summary: Summary, edition: str, brief_name: str, desk: dict,
            corrected: bool = False, changes=None) -> dict:
    """What the email templates see (see templates/email.txt.j2)."""
    return {"title": summary.title, "week": summary.week, "period": summary.period,
            "sections": summary.sections, "key_points": summary.key_points,
            "corrected": corrected, "changes": changes, "edition": edition,
            "brief_name": brief_name, "desk": dict(desk)}


def attachment_part(data: bytes, filename: str) -> MIMEPart:
    """An attachment, encoded once and shared by every message that carries the same file."""
    suffix = "." + filename.rsplit(".", 1)[-1]
    maintype, subtype = MIME_TYPES.get(suffix, ("application", "octet-stream"))
    part = MIMEPart(policy=policy.SMTP)
    part.set_content(data, maintype, subtype, disposition="attachment", filename=filename)
    return _freeze(part)


def body_part(wording: EmailText, seed: str) -> MIMEPart:
    """The text and HTML bodies (multipart/alternative), shared by an edition's messages;
    `seed` makes the MIME boundaries (the same seed for the same words)."""
    part = MIMEPart(policy=policy.SMTP)
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
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = _shared("From", sender)
    msg["To"] = Address(display_name=reader.name, addr_spec=reader.address)
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
    _SharingGenerator(out, policy=policy.SMTP).flatten(msg, unixfrom=False)
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
        header = _HEADERS[key] = policy.SMTP.header_factory(name, value)
    return header


def _freeze(part: MIMEPart) -> MIMEPart:
    out = io.BytesIO()
    BytesGenerator(out, policy=policy.SMTP).flatten(part, unixfrom=False)
    _FLAT[part] = out.getvalue()
    return part


class _SharingGenerator(BytesGenerator):
    """A BytesGenerator that writes a frozen part's bytes instead of serialising it again
    (into its output file, the email package's private `_fp`)."""

    def flatten(self, msg, unixfrom=False, linesep=None):
        data = _FLAT.get(msg)
        if data is not None and self.policy == policy.SMTP and linesep in (None, "\r\n"):
            self._fp.write(data)
            return
        super().flatten(msg, unixfrom=unixfrom, linesep=linesep)


def _fix_boundaries(part: MIMEPart, seed: str) -> None:
    """MIME boundaries from the content instead of random numbers: reproducible messages."""
    for n, sub in enumerate(p for p in part.walk() if p.is_multipart()):
        token = hashlib.sha256(f"{seed}/{n}".encode()).hexdigest()[:32]
        sub.set_boundary(f"=_briefgen_{n}_{token}")
