"""What templates see of facts, judgments and themes: display-ready values, nothing executable."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from briefgen.compose.wordbook import Wordbook
from briefgen.factbase.base import FactBase
from briefgen.factbase.history import Change, direction, states
from briefgen.factbase.models import CONFIDENCES, Fact, Judgment


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
    """A desk judgment as a template prints it; `cite(judgment)` cites the facts it rests on.

    Its terms are those it had at the end of the brief's span (the week, or the information
    cut-off): see factbase/history.
    """

    id: str
    statement: str
    date: str
    iso_date: str
    likelihood: str  # the term of the desk's yardstick, as worded for the desk's language
    confidence: str
    label: str  # e.g. "Assessment — likely, moderate confidence"
    based_on: tuple[str, ...]  # fact and judgment ids
    rationale: str  # the reason for its confidence ("" when not given, or for an older state)
    key: bool
    themes: tuple[str, ...]
    band: str = ""  # the likelihood's probability band, e.g. "55–80 %"
    sentence: str = ""  # "We judge it likely (55–80 %) that Moscow will ..."
    confidence_sentence: str = ""  # "Confidence: moderate — ...", never with the likelihood
    horizon: str = ""  # its time frame, e.g. "through 2020"; "" when not given
    horizon_sentence: str = ""  # "Time frame: through 2020."; "" when not given
    indicators: tuple[str, ...] = ()  # what would change our view, one line each
    status: str = ""  # weekly: "new" | "revised" | "reaffirmed" | "standing"; else ""
    change: str = ""  # weekly: what the week did to it ("Raised from likely to ... this week.")
    change_note: str = ""  # weekly, when revised: why it changed (the revision's note)


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


def judgment_view(judgment: Judgment, words: Wordbook, context: dict | None = None
                  ) -> JudgmentView:
    """The judgment as of the brief's span: `context["judged"]` (see specs) maps its id to
    what the span did to it (history.Change); without it, its current terms."""
    table = words.table
    lowercase = table.get("judgments", {}).get("lowercase_after_that", ())

    def said(key: str) -> str:  # a missing sentence is a located error, not a KeyError
        return words.get("judgments", key)

    change = (context or {}).get("judged", {}).get(judgment.id)
    state = change.state if change else states(judgment)[-1]
    current = state == states(judgment)[-1]
    likelihood = table["likelihood"].get(state.likelihood, state.likelihood)
    confidence = table["confidence"].get(state.confidence, state.confidence)
    band = table["likelihood_bands"].get(state.likelihood, "")
    pattern = table.get("likelihood_sentences", {}).get(state.likelihood, said("sentence"))
    statement = _ended(_after_that(judgment.statement, lowercase))
    rationale = judgment.rationale if current and judgment.rationale else ""
    if rationale:
        reason = _ended(_after_that(rationale, lowercase))
        confidence_sentence = said("confidence_reason").format(confidence=confidence,
                                                               rationale=reason)
    else:
        confidence_sentence = said("confidence").format(confidence=confidence)
    return JudgmentView(
        id=judgment.id, statement=judgment.statement, date=words.date(state.date),
        iso_date=str(state.date), likelihood=likelihood, confidence=confidence,
        label=words.judgment_label(state.likelihood, state.confidence),
        based_on=tuple(judgment.based_on), rationale=rationale, key=judgment.key,
        themes=tuple(judgment.themes), band=band,
        sentence=pattern.format(likelihood=likelihood, band=band, statement=statement),
        confidence_sentence=confidence_sentence, horizon=judgment.horizon or "",
        horizon_sentence=said("horizon").format(horizon=judgment.horizon)
        if judgment.horizon else "",
        indicators=tuple(judgment.indicators), status=change.status if change else "",
        change=_change(change, words) if change else "",
        change_note=(change.before.note or "") if change and change.before else "")


def _change(change: Change, words: Wordbook) -> str:
    """What a span did to a judgment, in the wording's sentences: likelihood and confidence
    each in its own sentence."""
    table = words.table

    def said(key: str) -> str:
        return words.get("judgments", "change", key)

    if change.status != "revised":
        return said(change.status)
    before, after, parts = change.before, change.state, []
    scale = tuple(table["likelihood"])
    step = direction(before.likelihood, after.likelihood, scale)
    if step:
        parts.append(said("raised" if step > 0 else "lowered").format(
            before=table["likelihood"].get(before.likelihood, before.likelihood),
            after=table["likelihood"].get(after.likelihood, after.likelihood)))
    step = direction(before.confidence, after.confidence, CONFIDENCES)
    if step:
        parts.append(said("confidence_raised" if step > 0 else "confidence_lowered").format(
            before=table["confidence"].get(before.confidence, before.confidence),
            after=table["confidence"].get(after.confidence, after.confidence)))
    return " ".join(parts)


def _after_that(text: str, lowercase: tuple | list) -> str:
    """A sentence as it reads after "that" (or a dash): its first word lowercased only when
    the wording lists it (articles, determiners: "The LNA" -> "the LNA"); a name keeps its
    capital ("Moscow", "NATO's")."""
    first = text.split(" ", 1)[0]
    if first in lowercase:
        return first.lower() + text[len(first):]
    return text


def _ended(text: str) -> str:
    """The text with a full stop, unless it already ends a sentence."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _names(who: str, statement: str) -> bool:
    """Whether the statement already names `who`, so that the line does not say it again: the
    whole name, a word that tells it apart ('Menas' of 'Menas Associates', 'Rasmussen'), or its
    acronym ('OSW', matched as written)."""
    whole, words, acronyms = _name(who)
    text = statement.casefold()
    return whole in text or any(w.search(text) for w in words) or \
        any(a.search(statement) for a in acronyms)


# Words that do not tell one name from another: "the Centre" does not name "OSW Centre for
# Eastern Studies", nor "officials" "US officials".
_GENERIC = frozenset("""
    the and for of from with von van der den des del della di da de du la le les el al
    associates association center centre council group institute institution studies research
    analysis ministry minister government office department agency foundation university
    college school news press times post daily weekly journal review party forces army
    officials official sources source spokesman spokeswoman spokesperson people staff
    international national european foreign affairs defence defense security strategic policy
    advanced eastern western northern southern
    """.split())


@functools.lru_cache(maxsize=4096)  # the same few names again and again
def _name(who: str) -> tuple[str, tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    """A name as `_names` looks for it: whole (case-folded), its telling words, its acronyms."""
    words = re.findall(r"\w[\w'’-]*", who)
    telling = tuple(re.compile(rf"\b{re.escape(w.casefold())}\b") for w in words
                    if len(w) >= 3 and w.casefold() not in _GENERIC and not w.isupper())
    acronyms = tuple(re.compile(rf"\b{re.escape(w)}\b") for w in words
                     if w.isupper() and len(w) >= 2)
    return who.casefold(), telling, acronyms
