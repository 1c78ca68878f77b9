"""What a capture (web page, PDF, text) holds: its article text, and what it states about itself.

A field the capture states in metadata made for it (a page's <meta> tags and <time> elements,
`<html lang>`, a PDF's /Title and /Lang) is taken as stated; one read from the text (an
author from a byline, a date from a dateline, a language from the words) is kept as a guess,
with where it came from, so that `source add` says so. A file's own creation or modification
date is never a publication date: it is the day someone saved it.
"""

from __future__ import annotations

import re

from briefgen.characters import find_refused
from briefgen.curate.article import Article, date_in_text, guess_language
from briefgen.curate.pages import read_page
from briefgen.errors import BriefgenError

MIN_WORDS = 8  # fewer words of article text: there is no article
MAX_TITLE = 200


def extract(data: bytes, kind: str, name: str, charset: str | None = None) -> Article:
    """The article text and what the capture states about it (`charset`: as the server said)."""
    if kind == "pdf":
        article = _pdf(data, name)
    elif b"\x00" in data[:8192]:
        raise BriefgenError(f"{name} is a binary file, not a {kind} capture; nothing written")
    elif kind == "html":
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
    """The capture as text, in the character set it is labelled with (UTF-8 if none, or if
    the label names no known set). A page whose bytes are not in that set is read as
    Windows-1252, and the curator is told: the archived text must never be mojibake nobody
    noticed."""
    import codecs

    from briefgen.curate.fetching import declared_charset

    said = declared_charset(data, label) if html else label
    try:
        charset = codecs.lookup(said or "utf-8").name
    except LookupError:
        said, charset = None, "utf-8"
    try:
        return data.decode("utf-8-sig" if charset == "utf-8" else charset), []
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


def _date_from_text(article: Article, text: str) -> None:
    day = date_in_text(text)
    if day:
        article.published, article.guessed["published"] = day, "its text"


def _meta(info, key: str) -> str | None:
    value = info.get(key)
    return " ".join(str(value).split()) or None if value else None
