"""What a capture (web page, PDF, text) holds: its article text, and what it states about itself.

A field the capture states in metadata made for it (a page's <meta> tags and <time> elements,
`<html lang>`, a PDF's /Title and /Lang) is taken as stated; one read from the text (an
author from a byline, a date from a dateline, a language from the words) is kept as a guess,
with where it came from, so that `source add` says so. A file's own creation or modification
date is never a publication date: it is the day someone saved it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from briefgen.characters import find_refused
from briefgen.errors import BriefgenError

MIN_WORDS = 8  # fewer words of article text: there is no article
MAX_TITLE = 200


@dataclass
class Article:
    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    publisher: str | None = None
    language: str | None = None
    guessed: dict[str, str] = field(default_factory=dict)  # field -> where it was guessed from
    notes: list[str] = field(default_factory=list)  # what the curator must know


def extract(data: bytes, kind: str, name: str, charset: str | None = None) -> Article:
    """The article text and what the capture states about it (`charset`: as the server said)."""
    if kind == "pdf":
        article = _pdf(data, name)
    elif b"\x00" in data[:8192]:
        raise BriefgenError(f"{name} is a binary file, not a {kind} capture; nothing written")
    elif kind == "html":
        from briefgen.curate.pages import read_page

        text, notes = _decoded(data, name, charset, html=True)
        article = read_page(text)
        article.notes[:0] = notes
    else:
        text, notes = _decoded(data, name, charset, html=False)
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        article = Article(text, notes=notes)
        if len(first) <= MAX_TITLE:
            article.title, article.guessed["title"] = first, "its first line"
        _date_from_text(article, text)
    lines = [" ".join(line.split()) for line in article.text.replace("\r\n", "\n").split("\n")]
    article.text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    if len(article.text.split()) < MIN_WORDS:
        raise BriefgenError(f"{name} has no article text to archive (only page furniture such "
                            "as menus and links?); nothing written")
    for key in ("title", "author", "publisher"):
        setattr(article, key, _clean(getattr(article, key), key, article.notes))
    if article.language is None:
        guess = guess_language(article.text)
        if guess:
            article.language, article.guessed["language"] = guess, "its words"
    return article


def _decoded(data: bytes, name: str, label: str | None, html: bool) -> tuple[str, list[str]]:
    """The capture as text, in the character set it is labelled with (UTF-8 if none). A page
    whose bytes are not in that set is read as Windows-1252, and the curator is told: the
    archived text must never be mojibake nobody noticed."""
    from briefgen.curate.fetching import declared_charset

    said = declared_charset(data, label) if html else label
    charset = said or "utf-8"
    try:
        return data.decode("utf-8-sig" if charset in ("utf-8", "utf8") else charset), []
    except LookupError:
        charset = "utf-8"
    except UnicodeDecodeError as e:
        if not html:
            raise BriefgenError(f"{name} is not {charset.upper()} text ({e.reason} at byte "
                                f"{e.start}); nothing written (hint: save it as UTF-8)") from None
        where = f"labelled {said.upper()}" if said else "not labelled with a character set"
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:  # one of the five bytes Windows-1252 leaves undefined
            text = data.decode("latin-1")
        return text, [f"{name} is {where}, but byte {e.start} is not {charset.upper()}: read "
                      "as Windows-1252 (guessed); check the archived text's accents"]
    return data.decode(charset, errors="strict"), []


def _clean(value: str | None, key: str, notes: list[str]) -> str | None:
    """A metadata field as one line of text, without the control and bidirectional characters
    a fact file refuses (a title with ESC or RLO would otherwise be written and then refused)."""
    if value is None:
        return None
    refused = [m.group() for m in find_refused(value)]
    if refused:
        value = "".join(c for c in value if c not in refused)
        codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in refused))
        notes.append(f"removed from the {key}: {codes} (control or bidirectional characters "
                     "a fact file cannot hold)")
    return " ".join(value.split()) or None


def _pdf(data: bytes, name: str) -> Article:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        raise BriefgenError(f"{name} is not a PDF; nothing written")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BriefgenError(f"{name} is protected by a password; nothing written (hint: "
                                "open it with the password, save or print it as a new PDF, "
                                "and give that file)")
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
        info = reader.metadata or {}
        lang = reader.trailer["/Root"].get("/Lang")
    except (PyPdfError, ValueError, KeyError, TypeError) as e:
        raise BriefgenError(f"{name}: cannot read the PDF ({e}); nothing written") from None
    article = Article(text, title=_meta(info, "/Title"), author=_meta(info, "/Author"))
    if lang and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", str(lang)):
        article.language = str(lang)
    _date_from_text(article, text)
    return article


def _meta(info, key: str) -> str | None:
    value = info.get(key)
    return " ".join(str(value).split()) or None if value else None


# --- dates and languages read from the words ----------------------------------------------------

MONTHS = {name: n for n, names in enumerate((
    "january jan janvier janv", "february feb février fevrier févr fev", "march mar mars",
    "april apr avril avr", "may mai", "june jun juin", "july jul juillet juil",
    "august aug août aout", "september sep sept septembre", "october oct octobre",
    "november nov novembre", "december dec décembre decembre déc"), 1)
    for name in names.split()}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DATES = (  # day month year; month day, year; ISO
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er)?\s+{_MONTH},?\s+(\d{{4}})\b", re.I),
    re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"))
DATE_WINDOW = 3000  # characters from the start where a dateline stands


def date_in_text(text: str) -> str | None:
    """The first real calendar date written out near the start of `text`, as YYYY-MM-DD."""
    from datetime import date

    found = []
    head = text[:DATE_WINDOW]
    for n, pattern in enumerate(_DATES):
        for m in pattern.finditer(head):
            g = m.groups()
            day, month, year = (g[0], MONTHS[g[1].lower()], g[2]) if n == 0 else \
                (g[1], MONTHS[g[0].lower()], g[2]) if n == 1 else (g[2], g[1], g[0])
            try:
                found.append((m.start(), date(int(year), int(month), int(day))))
            except ValueError:
                continue
            break
    return min(found)[1].isoformat() if found else None


def _date_from_text(article: Article, text: str) -> None:
    day = date_in_text(text)
    if day:
        article.published, article.guessed["published"] = day, "its text"


_STOPWORDS = {
    "en": "the of and to in is that for on with was said by it as from",
    "fr": "le la les des et du un une est dans que pour sur au qui par a été avec",
    "es": "el la los las de y en que del por con una para se fue",
    "de": "der die das und ist nicht mit den von zu dem sich des auf für",
    "it": "il la di che e un per non con del della sono gli le",
    "pt": "o a os as de e do da que em um uma para com não foi",
}
_SCRIPTS = (("ar", "\u0600-\u06ff"), ("ru", "\u0400-\u04ff"), ("zh", "\u4e00-\u9fff"),
            ("uk", "\u0454\u0456\u0457\u0491"))


def guess_language(text: str) -> str | None:
    """A two-letter language code from the text's script or its most common small words;
    None when it cannot tell."""
    sample = text[:20_000]
    letters = sum(c.isalpha() for c in sample) or 1
    for code, chars in _SCRIPTS[:3]:
        if len(re.findall(f"[{chars}]", sample)) > letters / 2:
            if code == "ru" and re.search(f"[{_SCRIPTS[3][1]}]", sample):
                return "uk"
            return code
    words = re.findall(r"[^\W\d_]+", sample.lower())
    scores = {code: sum(w in set(stop.split()) for w in words) for code, stop in
              _STOPWORDS.items()}
    best = max(scores, key=scores.get)
    ranked = sorted(scores.values(), reverse=True)
    return best if ranked[0] >= 5 and ranked[0] >= 1.5 * ranked[1] else None
