"""An article as a capture gives it, and what its words tell when its metadata does not: a
date written near its start, its language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


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
