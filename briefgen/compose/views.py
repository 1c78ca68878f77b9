"""What templates see of facts, judgments and themes: display-ready values, nothing executable."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from briefgen.compose.wordbook import Wordbook
from briefgen.factbase.base import FactBase
from briefgen.factbase.models import Fact, Judgment


@dataclass(frozen=True)
class FactView:
    """A fact as a template prints it."""

    id: str
    statement: str
    date: str  # worded at its precision: "4 June 2013", "June 2013", "2013"
    iso_date: str
    year: int
    day_month: str  # the date without its year ("4 June", "June", ""), under a year heading
    date_in_statement: bool  # the statement already says when ("on 4 June 2013"): say it once
    when: str  # day_month, or "" when the statement says it: what a line starts with
    kind: str
    credibility: int
    reliability: str  # best (lowest letter) reliability among its cited sources
    grading: str  # e.g. "B2"
    label: str  # grading and kind, e.g. "C3 · assessment", with no-break spaces
    attributed_to: str  # whose view or claim it is; "" when the fact file does not say
    attributed_in_statement: bool  # the statement already names whose claim it is
    attribution: str  # "according to X" (wording.toml), or "" when the statement names X
    key: bool  # marked a key point of its week
    actors: tuple[str, ...]
    tags: tuple[str, ...]
    themes: tuple[str, ...]
    sources: tuple[str, ...]  # publishers, in citation order


@dataclass(frozen=True)
class JudgmentView:
    """A desk judgment as a template prints it; `cite(judgment)` cites the facts it rests on."""

    id: str
    statement: str
    date: str
    iso_date: str
    likelihood: str  # the ICD 203 term, as worded for the desk's language
    confidence: str
    label: str  # e.g. "Assessment — likely, moderate confidence"
    based_on: tuple[str, ...]  # fact and judgment ids
    rationale: str
    key: bool
    themes: tuple[str, ...]


@dataclass(frozen=True)
class ThemeView:
    id: str
    title: str
    summary: str | None
    facts: tuple[FactView, ...]
    judgments: tuple[JudgmentView, ...] = ()
    see_also: tuple[dict, ...] = ()  # weekly: {"fact": FactView, "under": theme title}

    @property
    def quiet(self) -> bool:
        """Nothing to print under this theme (the weekly brief lists such themes in one line)."""
        return not (self.facts or self.judgments or self.see_also)


def fact_view(base: FactBase, fact: Fact, words: Wordbook) -> FactView:
    sources = [base.sources[c.source] for c in fact.citations]
    reliability = min(s.reliability for s in sources)
    grading = f"{reliability}{fact.credibility}"
    full, short = words.date(fact.date), words.date(fact.date, "in_year")
    statement, who = fact.statement, fact.attributed_to or ""
    # "on 4 June 2013" in the statement: the line does not say the date a second time
    says_when = bool(short) and (full in statement or short in statement)
    named = bool(who) and _names(who, statement)
    return FactView(
        id=fact.id, statement=statement, date=full, iso_date=str(fact.date),
        year=fact.date.year, day_month=short, date_in_statement=says_when,
        when="" if says_when else short, kind=fact.kind, credibility=fact.credibility,
        reliability=reliability, grading=grading, label=words.grading(grading, fact.kind),
        attributed_to=who, attributed_in_statement=named,
        attribution=words.attribution(who, fact.kind) if who and not named else "",
        key=fact.key, actors=tuple(fact.actors), tags=tuple(fact.tags),
        themes=tuple(fact.themes), sources=tuple(dict.fromkeys(s.publisher for s in sources)))


def judgment_view(judgment: Judgment, words: Wordbook) -> JudgmentView:
    table = words.table
    return JudgmentView(
        id=judgment.id, statement=judgment.statement, date=words.date(judgment.date),
        iso_date=str(judgment.date),
        likelihood=table["likelihood"].get(judgment.likelihood, judgment.likelihood),
        confidence=table["confidence"].get(judgment.confidence, judgment.confidence),
        label=words.judgment_label(judgment.likelihood, judgment.confidence),
        based_on=tuple(judgment.based_on), rationale=judgment.rationale or "",
        key=judgment.key, themes=tuple(judgment.themes))


def _names(who: str, statement: str) -> bool:
    """Whether the statement names `who`: the whole name, or its last word ('Rasmussen')."""
    text = statement.casefold()
    name, last_word = _name(who)
    return name in text or last_word is not None and last_word.search(text) is not None


@functools.lru_cache(maxsize=4096)  # the same few people again and again: 5,000 facts -4 ms
def _name(who: str) -> tuple[str, re.Pattern | None]:
    """A name as `_names` looks for it: whole, and its last word as a regex."""
    words = re.findall(r"\w[\w'’-]*", who.casefold())
    return who.casefold(), re.compile(rf"\b{re.escape(words[-1])}\b") if words else None
