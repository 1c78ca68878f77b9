"""`briefgen source import`: the references of a Zotero export (CSL-JSON, RIS or BibTeX), each
archived with the text of the attachment the export points to, as `source add` archives one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.errors import BriefgenError, UsageError

FORMATS = {".json": "csl-json", ".ris": "ris", ".bib": "bibtex"}
ATTACHED = (".html", ".htm", ".pdf", ".txt")


@dataclass
class Reference:
    key: str | None  # the citation key: the new source's id, when it makes a slug
    title: str | None = None
    publisher: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    url: str | None = None
    language: str | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.key or self.title or "a reference without a title"


def import_references(facts: Path, export: Path, into: Path | None = None, warn=None
                      ) -> list[str]:
    """Add a source for each reference with an attachment; the new ids. What is skipped, and
    why, goes to `warn`."""
    from briefgen.curate.capture import SLUG, add

    export = Path(export)
    kind = FORMATS.get(export.suffix.lower())
    if kind is None:
        raise UsageError(f"{export}: cannot import '{export.suffix or 'no extension'}' files "
                         "(hint: export from Zotero as CSL JSON (.json), RIS (.ris) or BibTeX "
                         "(.bib))")
    try:
        text = export.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        reason = getattr(e, "strerror", None) or e
        raise BriefgenError(f"{export} cannot be read: {reason}") from None
    references = {"csl-json": _csl_json, "ris": _ris, "bibtex": _bibtex}[kind](text, export)
    added, lines = [], []
    for ref in references:
        attached = [f for f in ref.files if f.suffix.lower() in ATTACHED and f.is_file()]
        if not attached:
            command = f"briefgen source add {ref.url or 'FILE'}"
            lines.append(f"warning: skipped '{ref.label}': the export points to no saved copy "
                         f"of it (hint: {command})")
            continue
        sid = _slug(ref.key or "")
        try:
            added.append(add(facts, str(attached[0]), id=sid if SLUG.match(sid) else None,
                             url=ref.url, title=ref.title, publisher=ref.publisher,
                             published=ref.date, language=ref.language,
                             author="; ".join(ref.authors) or None, into=into,
                             warn=lines.extend))
        except BriefgenError as e:
            lines.append(f"warning: skipped '{ref.label}': {e}")
    if warn and lines:
        warn(lines)
    return added


def _slug(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def _date(parts) -> str | None:
    parts = [int(p) for p in parts if str(p).isdigit()][:3]
    if not parts:
        return None
    return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]])


def _language(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value) else None


def _csl_json(text: str, export: Path) -> list[Reference]:
    try:
        items = json.loads(text)
    except ValueError as e:
        raise BriefgenError(f"{export} is not CSL JSON: {e}") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BriefgenError(f"{export} is not CSL JSON: expected a list of items")
    refs = []
    for n, item in enumerate(items, 1):
        names = [" ".join(filter(None, (a.get("given"), a.get("family")))) or a.get("literal")
                 for a in item.get("author", []) if isinstance(a, dict)]
        issued = (item.get("issued") or {}).get("date-parts") or [[]]
        files = item.get("file") or item.get("attachments") or []  # not in CSL: some add it
        refs.append(Reference(
            key=str(item.get("id") or f"item-{n}"), title=item.get("title"),
            publisher=item.get("container-title") or item.get("publisher"),
            authors=[a for a in names if a], date=_date(issued[0]), url=item.get("URL"),
            language=_language(item.get("language")),
            files=[export.parent / f for f in ([files] if isinstance(files, str) else files)
                   if isinstance(f, str)]))
    return refs


def _ris(text: str, export: Path) -> list[Reference]:
    refs, tags = [], {}
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Z0-9])  - ?(.*)$", line)
        if not m:
            continue
        tag, value = m.group(1), m.group(2).strip()
        if tag == "ER":
            refs.append(_ris_reference(tags, export))
            tags = {}
        else:
            tags.setdefault(tag, []).append(value)
    return refs


def _ris_reference(tags: dict, export: Path) -> Reference:
    def first(*names):
        return next((tags[t][0] for t in names if tags.get(t)), None)

    date = first("DA", "PY", "Y1") or ""
    authors = [" ".join(reversed([p.strip() for p in a.split(",", 1)]))
               for a in tags.get("AU", []) + tags.get("A1", [])]
    files = [f.removeprefix("file://") for f in tags.get("L1", []) + tags.get("L4", [])]
    return Reference(key=first("ID"),
                     title=first("TI", "T1"), publisher=first("T2", "JO", "JF", "PB"),
                     authors=authors, date=_date(re.findall(r"\d+", date)), url=first("UR"),
                     language=_language(first("LA")),
                     files=[export.parent / f for f in files])


_MONTHS = {m: n for n, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(),
                                      1)}


def _bibtex(text: str, export: Path) -> list[Reference]:
    refs = []
    for m in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        if m.group(1).lower() in ("comment", "preamble", "string"):
            continue
        fields, pos = {}, m.end()
        while True:
            f = re.compile(r"\s*(\w[\w-]*)\s*=\s*").match(text, pos)
            if not f:
                break
            value, pos = _bib_value(text, f.end())
            fields[f.group(1).lower()] = " ".join(value.split())
            pos = re.compile(r"\s*,?").match(text, pos).end()
        date = fields.get("date") or fields.get("year", "")
        parts = re.findall(r"\d+", date)
        month = fields.get("month", "").lower()[:3]
        if len(parts) == 1 and month:
            parts.append(str(_MONTHS.get(month, month)))
        files = [p.split(":")[1] if p.count(":") >= 2 else p
                 for p in fields.get("file", "").split(";") if p]
        refs.append(Reference(
            key=m.group(2), title=fields.get("title"),
            publisher=fields.get("journal") or fields.get("journaltitle")
            or fields.get("publisher") or fields.get("organization"),
            authors=[" ".join(reversed([p.strip() for p in a.split(",", 1)]))
                     for a in fields.get("author", "").split(" and ") if a.strip()],
            date=_date(parts), url=fields.get("url"),
            language=_language(fields.get("langid") or fields.get("language")),
            files=[export.parent / f.replace("\\:", ":") for f in files]))
    return refs


def _bib_value(text: str, pos: int) -> tuple[str, int]:
    """A BibTeX value at `pos` ({...} with nested braces, "...", or a bare word): its text
    without the braces, and where it ends."""
    if text.startswith("{", pos):
        depth, start = 0, pos
        while pos < len(text):
            depth += {"{": 1, "}": -1}.get(text[pos], 0)
            pos += 1
            if depth == 0:
                break
        return text[start + 1:pos - 1].replace("{", "").replace("}", ""), pos
    if text.startswith('"', pos):
        end = text.find('"', pos + 1)
        return text[pos + 1:end].replace("{", "").replace("}", ""), end + 1
    m = re.compile(r"[^,}\s]*").match(text, pos)
    return m.group(), m.end()
