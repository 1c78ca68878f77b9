"""Which facts and judgments go into which brief: theme briefs and the weekly brief.

Only the choice is made here; every word of the title block is the template's (see
templates/*.md.j2), so no reader-facing text is written in Python.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from briefgen.compose.composer import Spec
from briefgen.characters import escape
from briefgen.errors import BriefgenError, UsageError
from briefgen.factbase.analysis import grounds
from briefgen.factbase.base import FactBase
from briefgen.factbase.history import change_in
from briefgen.factbase.models import Fact, PartialDate


def created_at(today: date | None = None) -> datetime:
    """The date of issue: SOURCE_DATE_EPOCH when set, otherwise the day of the build.

    A day, not a time, so that builds on the same day give byte-identical files.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BriefgenError(f"SOURCE_DATE_EPOCH='{epoch}' is not a Unix timestamp") from None
    day = today or datetime.now(timezone.utc).date()
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _order(items) -> list:
    """In date order; an item known to the month comes after the items dated to a day of that
    month, one known to the year after those of that year (its date says no more)."""
    return sorted(items, key=lambda f: (f.date.year, f.date.month or 13, f.date.day or 32, f.id))


def _live(base: FactBase):
    """Facts that may be printed: a retracted fact stays in its file for the record only."""
    return (f for f in base.facts.values() if not f.retracted)


def theme_spec(base: FactBase, theme_id: str, annotated: bool = False,
               cutoff: date | None = None) -> Spec:
    """A theme's facts and judgments; `cutoff`: the information cut-off to state (select with
    a base as it stood that day, history.known_by), else the date of the latest fact used."""
    facts = _order(f for f in _live(base) if theme_id in f.themes)
    judgments = _order(j for j in base.judgments.values() if theme_id in j.themes)
    context = {"cutoff": _cutoff(base, facts, judgments, cutoff)}
    return Spec(name=_edition(f"theme-{theme_id}", annotated), template="theme.md.j2",
                created=created_at(),
                themes=[(theme_id, facts)], judgments={theme_id: judgments},
                context=context, settings=base.settings, annotated=annotated)


def sample(base: FactBase, spec: Spec) -> Spec:
    """A theme brief with one fact of each shape a template lays out differently (kind, how
    precise its date is, its year, whether it is attributed, a key point, one or several
    citations), and each grading (credibility, source reliability) at least once, in order:
    enough to run every path of the template with real data, in a fraction of the time the
    whole brief takes on a large base (`check`'s template check)."""
    def shape(fact: Fact) -> tuple:
        return (fact.kind, fact.date.precision, fact.date.year, bool(fact.attributed_to),
                fact.key, len(fact.citations) > 1)

    themes = []
    for theme_id, facts in spec.themes:
        seen: set = set()
        kept = []
        for fact in facts:
            marks = {shape(fact), ("credibility", fact.credibility),
                     ("reliability", _reliability(base, fact))}
            if not marks <= seen:
                seen |= marks
                kept.append(fact)
        themes.append((theme_id, kept))
    return replace(spec, themes=themes)


def _cutoff(base: FactBase, facts: list[Fact], judgments, given: date | None,
            until: date | None = None) -> PartialDate | None:
    """The information cut-off a brief states: `given` (--cutoff), else the date of the latest
    fact it uses (its lines' and its judgments' grounds, up to `until`), at its precision."""
    if given is not None:
        return PartialDate(given.year, given.month, given.day)
    used = [f for f in [*facts, *(base.facts[g] for j in judgments for g in grounds(base, j.id))]
            if until is None or f.date.first_day <= until]
    if not used:
        return None
    return max((f.date for f in used), key=lambda d: (d.first_day, d.precision == "day"))


def week_id(text: str) -> str:
    """An ISO week as written on the command line, `YYYY-Www` (any case of the W) or a date
    `YYYY-MM-DD` meaning its week, as `YYYY-Www`; a UsageError says what is wrong."""
    import re

    text = text.strip()
    # [0-9], not \d: \d and int() also take Arabic-Indic and full-width digits
    m = re.fullmatch(r"([0-9]{4})-?[Ww]([0-9]{2})", text)
    if m and 1 <= int(m.group(2)) <= 53:
        return f"{m.group(1)}-W{m.group(2)}"
    if m:
        raise UsageError(f"'{text}' does not exist: ISO weeks run from W01 to W52 or W53")
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return week_of(day_of(text))
    short = re.fullmatch(r"([0-9]{4})-?[Ww]([0-9])", text)
    if short:  # the week's number written with one digit
        raise UsageError(f"'{escape(text)}' is not an ISO week like 2019-W50 (write "
                         f"{short.group(1)}-W0{short.group(2)}: the week has two digits)")
    raise UsageError(f"'{escape(text)}' is not an ISO week like 2019-W50")


def day_of(text: str) -> date:
    """A day written YYYY-MM-DD (ASCII digits); a UsageError says what is wrong."""
    import re

    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise UsageError(f"'{escape(text)}' is not a real calendar date") from None
    raise UsageError(f"'{escape(text)}' is not a date like 2019-12-11")


# The last ISO week a brief can cover: the Sunday of 9999-W52 is in the year 10000.
LAST_WEEK = "9999-W51"


def week_of(day: date) -> str:
    """The ISO week a day falls in, written YYYY-Www."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def weeks_of(first: date, last: date) -> list[str]:
    """The ISO weeks from the one of `first` to the one of `last` that a brief can cover
    (written YYYY-Www, up to LAST_WEEK: the last days of 9999 are in no such week)."""
    days = range(first.toordinal(), last.toordinal() + 1, 7)
    weeks = dict.fromkeys([*(week_of(date.fromordinal(n)) for n in days), week_of(last)])
    return [w for w in weeks if w <= LAST_WEEK]


def parse_week(week: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week written YYYY-Www."""
    year, number = int(week[:4]), int(week.split("W")[1])
    try:
        monday = date.fromisocalendar(year, number, 1)
        return monday, monday + timedelta(days=6)
    except ValueError:
        if not 1 <= year <= 9999:
            raise UsageError(f"{week} is out of range: years run from 0001 to 9999") from None
        raise UsageError(f"{week} does not exist: {year} has no ISO week {number}") from None
    except OverflowError:  # its Sunday falls in the year 10000
        raise UsageError(f"{week} is out of range: the last week is {LAST_WEEK}") from None


def current_week(today: date | None = None) -> str:
    return week_of(today or date.today())


def weekly_spec(base: FactBase, week: str, themes: list[str] | None = None,
                annotated: bool = False, cutoff: date | None = None) -> Spec:
    """All themes (or `themes`), with the facts dated (to the day) in the ISO week.

    Each development is listed once, under its first theme of the brief; the other themes it
    belongs to get a "see also". Only the judgments the week touches are offered (see
    `_days_spec`).
    """
    monday, sunday = parse_week(week)
    return _days_spec(base, _edition(f"weekly-{week}", annotated), week, monday, sunday, themes,
                      annotated, cutoff)


def period_spec(base: FactBase, start: date, end: date, themes: list[str] | None = None,
                annotated: bool = False, cutoff: date | None = None) -> Spec:
    """Like the weekly brief, for the facts dated (to the day) from `start` to `end`."""
    label = f"{start.isoformat()}--{end.isoformat()}"
    return _days_spec(base, _edition(f"period-{label}", annotated), label, start, end, themes,
                      annotated, cutoff)


def _days_spec(base: FactBase, name: str, label: str, first: date, last: date,
               themes: list[str] | None, annotated: bool, cutoff: date | None = None) -> Spec:
    """The days' developments, and the judgments they touch: new or revised in those days, or
    resting on a fact of those days (factbase/history); the others stand, not reprinted."""
    chosen = themes or list(base.themes)
    end = min(last, cutoff) if cutoff else last  # a cut-off within the days ends them
    in_days = _order(f for f in _live(base)
                     if f.date.precision == "day" and first <= f.date.first_day <= end
                     and any(t in chosen for t in f.themes))
    home = {f.id: next(t for t in f.themes if t in chosen) for f in in_days}
    sections = [(t, [f for f in in_days if home[f.id] == t]) for t in chosen]
    see_also = {t: [(f, home[f.id]) for f in in_days if t in f.themes and home[f.id] != t]
                for t in chosen}
    judged = {}
    for judgment in _order(j for j in base.judgments.values()
                           if any(t in chosen for t in j.themes)):
        change = change_in(judgment, first, end,
                           [base.facts[f].date for f in grounds(base, judgment.id)])
        if change is not None:
            judged[judgment.id] = change
    touched = [base.judgments[j] for j, c in judged.items() if c.status != "standing"]
    standing = [base.judgments[j] for j, c in judged.items() if c.status == "standing"]
    # Without facts marked `key: true` the template picks its key points; it gets the
    # developments best graded first (information credibility, then source reliability).
    best = sorted(in_days, key=lambda f: (f.credibility, _reliability(base, f),
                                          f.date.first_day, f.id))
    context = {"week": label, "is_week": name.startswith("weekly-"), "start": first,
               "end": last, "developments": in_days, "key_points": [f for f in in_days if f.key],
               "best_graded": best, "judgments": touched, "standing": standing,
               "all_themes": themes is None, "judged": judged,
               "cutoff": _cutoff(base, in_days, touched, cutoff, until=end)}
    return Spec(name=name, template="weekly.md.j2", created=created_at(), themes=sections,
                see_also=see_also, context=context, settings=base.settings, annotated=annotated)


def _edition(name: str, annotated: bool) -> str:
    """A brief's file stem: the desk's review edition has its own (`theme-x.annotated`), so it
    never replaces the readers' files nor goes out by mistake."""
    return f"{name}.annotated" if annotated else name


def _reliability(base: FactBase, fact: Fact) -> str:
    return min(base.sources[c.source].reliability for c in fact.citations)

