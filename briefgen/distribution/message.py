"""Build one reader's email: headers that resist injection, text and HTML bodies, the brief."""

from __future__ import annotations

import hashlib
import html
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
from briefgen.distribution.readers import Reader

MIME_TYPES = {
    ".pdf": ("application", "pdf"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
KEY_POINTS_HEADING = "Key points"
SIGNATURE = "briefgen"


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

    Leaves out the time stamp, template line numbers and the writers' output, so a rebuilt PDF
    or a reformatted template that says the same thing is the same edition.
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


def message_id(edition: str, reader_key: str, sender: Address) -> str:
    """The same (edition, reader) always gets the same Message-ID: a duplicate is recognisable."""
    digest = hashlib.sha256(f"{edition}\n{reader_key}".encode()).hexdigest()[:20]
    return f"<briefgen.{edition}.{digest}@{sender.domain or 'localhost'}>"  # domain: ASCII


def summarize(brief: Brief, week: str, period: str) -> Summary:
    """The key points and, per theme section, how many developments the brief holds."""
    sections: list[list] = []
    key_points: list[tuple[Run, ...]] = []
    current = None
    for block in brief.blocks:
        if block.kind == "heading":
            current = block.text
            if current != KEY_POINTS_HEADING:
                sections.append([current, 0])
        elif block.kind == "bullet" and current == KEY_POINTS_HEADING:
            key_points.append(tuple(i for i in block.inlines if isinstance(i, Run)))
        elif block.kind in ("bullet", "paragraph") and sections and current == sections[-1][0]:
            sections[-1][1] += 1
    return Summary(brief.title, week, period, tuple((t, n) for t, n in sections),
                   tuple(key_points))


def attachment_name(brief: Brief, suffix: str) -> str:
    """'libya-weekly-2019-W50.pdf' for the brief named 'weekly-2019-W50'."""
    return f"libya-{brief.name}{suffix}"


def attachment_part(data: bytes, filename: str) -> MIMEPart:
    """An attachment, encoded once and shared by every message that carries the same file."""
    suffix = "." + filename.rsplit(".", 1)[-1]
    maintype, subtype = MIME_TYPES.get(suffix, ("application", "octet-stream"))
    part = MIMEPart(policy=policy.SMTP)
    part.set_content(data, maintype, subtype, disposition="attachment", filename=filename)
    return _freeze(part)


def body_part(summary: Summary, edition: str, corrected: bool = False) -> MIMEPart:
    """The text and HTML bodies (multipart/alternative), shared by an edition's messages."""
    part = MIMEPart(policy=policy.SMTP)
    part.set_content(text_body(summary, corrected, edition), cte="quoted-printable")
    part.add_alternative(html_body(summary, corrected, edition), subtype="html",
                         cte="quoted-printable")
    _fix_boundaries(part, f"{edition}/{corrected}")
    return _freeze(part)


def build_message(reader: Reader, summary: Summary, attachments: list[MIMEPart], *,
                  sender: Address, msgid: str, edition: str, corrected: bool = False,
                  replaces: str | None = None, date: datetime | None = None,
                  body: MIMEPart | None = None) -> EmailMessage:
    """One reader's message. Everything but the Date header is a function of the inputs.

    `body` (from body_part) and `attachments` may be shared by many messages: only the
    headers are the reader's own, so 1,000 messages cost little more than one.
    """
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = _shared("From", sender)
    msg["To"] = Address(display_name=reader.name, addr_spec=reader.address)
    msg["Subject"] = _shared("Subject", summary.title + (" (corrected)" if corrected else ""))
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
    msg.attach(body or body_part(summary, edition, corrected))
    for part in attachments:
        msg.attach(part)
    return msg


def flatten(msg: EmailMessage) -> bytes:
    """The message as sent (CRLF line ends, ASCII). Shared parts are serialised once, reused.

    Gives the same bytes as `bytes(msg)` under policy SMTP (addresses are ASCII: readers.py
    takes no SMTPUTF8 addresses, and non-ASCII names become RFC 2047 encoded words).
    """
    out = io.BytesIO()
    _SharingGenerator(out, policy=policy.SMTP).flatten(msg, unixfrom=False)
    return out.getvalue()


_FLAT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # part -> its SMTP bytes
_HEADERS: dict[tuple[str, str], object] = {}  # (name, value) -> parsed header object
_FOLDED: dict[tuple[str, str], bytes] = {}  # the same headers, folded under policy SMTP


def _shared(name: str, value) -> object:
    """A header object parsed once and reused by every message that has the same header."""
    key = (name, str(value))
    header = _HEADERS.get(key)
    if header is None:
        if len(_HEADERS) > 4096:
            _HEADERS.clear()
            _FOLDED.clear()
        header = _HEADERS[key] = policy.SMTP.header_factory(name, value)
    return header


def _freeze(part: MIMEPart) -> MIMEPart:
    out = io.BytesIO()
    BytesGenerator(out, policy=policy.SMTP).flatten(part, unixfrom=False)
    _FLAT[part] = out.getvalue()
    return part


class _SharingGenerator(BytesGenerator):
    """A BytesGenerator that writes a frozen part's bytes instead of serialising it again."""

    def flatten(self, msg, unixfrom=False, linesep=None):
        data = _FLAT.get(msg)
        if data is not None and self.policy == policy.SMTP and linesep in (None, "\r\n"):
            self._fp.write(data)
            return
        super().flatten(msg, unixfrom=unixfrom, linesep=linesep)

    def _write_headers(self, msg):
        smtp = self.policy == policy.SMTP
        for name, value in msg.raw_items():
            key = (name, str(value))
            if smtp and _HEADERS.get(key) is value:  # a shared header: fold it once
                folded = _FOLDED.get(key)
                if folded is None:
                    folded = _FOLDED[key] = self.policy.fold_binary(name, value)
                self._fp.write(folded)
            else:
                self._fp.write(self.policy.fold_binary(name, value))
        self.write(self._NL)


def _themes_line(title: str, count: int) -> str:
    if count == 0:
        return f"{title}: nothing new"
    return f"{title}: {count} development{'s' * (count != 1)}"


def _intro(summary: Summary, corrected: bool) -> list[str]:
    lines = [f"Attached is the Libya weekly brief for {summary.week} ({summary.period}), "
             "with the themes you follow."]
    if corrected:
        lines.insert(0, f"This is a corrected edition of the {summary.week} brief: it replaces "
                        "the one you received earlier.")
    return lines


def _closing() -> str:
    return ("Every line of the brief is linked to its source; the Sources annex at the end "
            "lists each one with the passages quoted from it. Gradings such as B2 give the "
            "source's reliability (A-F) and the information's credibility (1-6).")


def _plain(runs: tuple[Run, ...]) -> str:
    """A line as plain text: emphasised runs (the grading, say) in parentheses."""
    text = "".join(f"({r.text.strip()})" if r.italic and r.text.strip() else r.text
                   for r in runs)
    return " ".join(text.split())


def _html(runs: tuple[Run, ...]) -> str:
    out = []
    for run in runs:
        text = html.escape(run.text)
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out).strip()


def text_body(summary: Summary, corrected: bool, edition: str) -> str:
    out = [summary.title + (" (corrected)" if corrected else ""), summary.period, ""]
    for paragraph in _intro(summary, corrected):
        out += [paragraph, ""]
    out.append("Themes:")
    out += [f"  - {_themes_line(t, n)}" for t, n in summary.sections]
    out.append("")
    if summary.key_points:
        out.append("Key points:")
        out += [f"  - {_plain(point)}" for point in summary.key_points]
    else:
        out.append("No new developments this week in the themes you follow.")
    out += ["", _closing(), "", "-- ", f"{SIGNATURE} · edition {edition}", ""]
    return "\n".join(out)


def html_body(summary: Summary, corrected: bool, edition: str) -> str:
    e = html.escape
    title = summary.title + (" (corrected)" if corrected else "")
    items = "".join(f'<li dir="auto">{e(_themes_line(t, n))}</li>' for t, n in summary.sections)
    if summary.key_points:
        points = ('<h2 style="font-size:16px;margin:20px 0 8px">Key points</h2>\n<ul>'
                  + "".join(f'<li dir="auto" style="margin-bottom:6px">{_html(p)}</li>'
                            for p in summary.key_points) + "</ul>")
    else:
        points = "<p>No new developments this week in the themes you follow.</p>"
    intro = "".join(f"<p>{e(p)}</p>" for p in _intro(summary, corrected))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
</head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;\
line-height:1.5;color:#1a1a1a">
<div style="max-width:640px">
<h1 style="font-size:20px;margin:0 0 4px">{e(title)}</h1>
<p style="margin:0 0 16px;color:#555">{e(summary.period)}</p>
{intro}
<h2 style="font-size:16px;margin:20px 0 8px">Themes</h2>
<ul>{items}</ul>
{points}
<p style="color:#555">{e(_closing())}</p>
<p style="color:#888;font-size:12px">{e(SIGNATURE)} · edition {e(edition)}</p>
</div>
</body>
</html>
"""


def _fix_boundaries(part: MIMEPart, seed: str) -> None:
    """MIME boundaries from the content instead of random numbers: reproducible messages."""
    for n, sub in enumerate(p for p in part.walk() if p.is_multipart()):
        token = hashlib.sha256(f"{seed}/{n}".encode()).hexdigest()[:32]
        sub.set_boundary(f"=_briefgen_{n}_{token}")
