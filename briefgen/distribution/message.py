"""Build one reader's email: headers that resist injection, text and HTML bodies, the brief."""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime

from briefgen.brief import Brief
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
    key_points: tuple[str, ...]


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
    digest = hashlib.sha256(f"{edition}\n{reader_key}".encode("utf-8")).hexdigest()[:20]
    domain = sender.domain.encode("idna").decode("ascii") if not sender.domain.isascii() \
        else sender.domain
    return f"<briefgen.{edition}.{digest}@{domain or 'localhost'}>"


def summarize(brief: Brief, week: str, period: str) -> Summary:
    """The key points and, per theme section, how many developments the brief holds."""
    sections: list[list] = []
    key_points: list[str] = []
    current = None
    for block in brief.blocks:
        if block.kind == "heading":
            current = block.text
            if current != KEY_POINTS_HEADING:
                sections.append([current, 0])
        elif block.kind == "bullet" and current == KEY_POINTS_HEADING:
            key_points.append(block.text)
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
    return part


def build_message(reader: Reader, summary: Summary, attachments: list[MIMEPart], *,
                  sender: Address, msgid: str, edition: str, corrected: bool = False,
                  replaces: str | None = None, date: datetime | None = None) -> EmailMessage:
    """One reader's message. Everything but the Date header is a function of the inputs."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = Address(display_name=reader.name, addr_spec=reader.address)
    msg["Subject"] = summary.title + (" (corrected)" if corrected else "")
    msg["Date"] = format_datetime(date or datetime.now(timezone.utc))
    msg["Message-ID"] = msgid
    if replaces:
        msg["References"] = replaces
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Briefgen-Edition"] = edition
    msg.set_content(text_body(reader, summary, corrected, edition))
    msg.add_alternative(html_body(reader, summary, corrected, edition), subtype="html")
    if attachments:
        msg.make_mixed()
        for part in attachments:
            msg.attach(part)
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # only the top level carries it
    _fix_boundaries(msg, msgid)
    return msg


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
            "lists each one with the passages quoted from it.")


def text_body(reader: Reader, summary: Summary, corrected: bool, edition: str) -> str:
    out = [summary.title + (" (corrected)" if corrected else ""), "", f"Dear {reader.name},", ""]
    for paragraph in _intro(summary, corrected):
        out += [paragraph, ""]
    out.append("Themes:")
    out += [f"  - {_themes_line(t, n)}" for t, n in summary.sections]
    out.append("")
    if summary.key_points:
        out.append("Key points:")
        out += [f"  - {point}" for point in summary.key_points]
    else:
        out.append("No new developments this week in the themes you follow.")
    out += ["", _closing(), "", "-- ", f"{SIGNATURE} · edition {edition}", ""]
    return "\n".join(out)


def html_body(reader: Reader, summary: Summary, corrected: bool, edition: str) -> str:
    e = html.escape
    title = summary.title + (" (corrected)" if corrected else "")
    items = "".join(f'<li dir="auto">{e(_themes_line(t, n))}</li>' for t, n in summary.sections)
    if summary.key_points:
        points = ('<h2 style="font-size:16px;margin:20px 0 8px">Key points</h2>\n<ul>'
                  + "".join(f'<li dir="auto" style="margin-bottom:6px">{e(p)}</li>'
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
<p>Dear {e(reader.name)},</p>
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


def _fix_boundaries(msg: EmailMessage, msgid: str) -> None:
    """MIME boundaries from the Message-ID instead of random numbers: reproducible messages."""
    for n, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        token = hashlib.sha256(f"{msgid}/{n}".encode()).hexdigest()[:32]
        part.set_boundary(f"=_briefgen_{n}_{token}")
