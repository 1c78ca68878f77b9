"""A judgment through time: the states it had, and what a week (or any span of days) did to it.

Pure functions over fact-base data, no I/O. A judgment's states are its `revisions` (oldest
first), then its current terms from its `date`. Over the days `first`..`last` a judgment is:
- **new** when its first state is dated (to the day) within them;
- **revised** when a later state is dated within them and its likelihood or confidence differ
  from the state before (a re-dated state with the same terms counts as reaffirmed);
- **reaffirmed** when it rests, directly or through other judgments, on a fact dated within
  them;
- **standing** when it was made before and nothing within them touches it;
and absent (None) when it was not made by `last`. A date known only to the month or year is
never "within" a week: date a judgment or revision to the day for the weekly to report it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from briefgen.factbase.models import YARDSTICKS, PartialDate

STATUSES = ("new", "revised", "reaffirmed", "standing")


@dataclass(frozen=True)
class State:
    """What a judgment judged from `date` on; `note` says why it changed afterwards."""

    date: PartialDate
    likelihood: str
    confidence: str
    note: str | None = None


@dataclass(frozen=True)
class Change:
    """What a span of days did to a judgment, and where it stood at the end of it."""

    status: str  # one of STATUSES
    state: State  # the judgment as it stood on the span's last day
    before: State | None = None  # revised (or re-dated): the state the span changed


def states(judgment) -> list[State]:
    """The judgment's states, oldest first: its revisions, then its current terms."""
    return ([State(r.date, r.likelihood, r.confidence, r.note) for r in judgment.revisions]
            + [State(judgment.date, judgment.likelihood, judgment.confidence)])


def state_on(judgment, day: date) -> State | None:
    """The state the judgment had on `day` (a state counts from its date's first day); None
    when it was not made yet."""
    found = None
    for state in states(judgment):
        if state.date.first_day <= day:
            found = state
    return found


def within(value: PartialDate, first: date, last: date) -> bool:
    """A date known to the day that falls from `first` to `last` (both included)."""
    return value.precision == "day" and first <= value.first_day <= last


def change_in(judgment, first: date, last: date,
              ground_dates: Iterable[PartialDate] = ()) -> Change | None:
    """What the days `first`..`last` did to `judgment`; `ground_dates`: the dates of the live
    facts it rests on (see analysis.grounds). None when it was not made by `last`."""
    history = states(judgment)
    current = state_on(judgment, last)
    if current is None:
        return None
    dated = [i for i, state in enumerate(history) if within(state.date, first, last)]
    if dated and dated[0] == 0:
        return Change("new", current)
    if dated:
        before = history[dated[0] - 1]
        same = (before.likelihood, before.confidence) == (current.likelihood, current.confidence)
        return Change("reaffirmed" if same else "revised", current, before)
    if any(within(d, first, last) for d in ground_dates):
        return Change("reaffirmed", current)
    return Change("standing", current)


def known_by(base, day: date):
    """The fact base as it stood on `day` (`--cutoff`): the facts that may have happened by then
    (their date's first day), the judgments made by then in the terms they had then, each
    resting only on what was known; a judgment left resting on nothing is left out. The
    rationale of an earlier state is not recorded: it is left out with it."""
    facts = {fid: f for fid, f in base.facts.items() if f.date.first_day <= day}
    made = {jid: j for jid, j in base.judgments.items() if state_on(j, day) is not None}
    judgments = {}
    for jid, judgment in made.items():
        kept = [b for b in judgment.based_on if b in facts or b in made]
        if not kept:
            continue
        state = state_on(judgment, day)
        earlier = [r for r in judgment.revisions if r.date.first_day < state.date.first_day]
        current = state == states(judgment)[-1]
        judgments[jid] = judgment.model_copy(update={
            "based_on": kept, "date": state.date, "likelihood": state.likelihood,
            "confidence": state.confidence, "revisions": earlier,
            "rationale": judgment.rationale if current else None})
    return replace(base, facts=facts, judgments=judgments)


def rank(term: str) -> int:
    """A likelihood term's place on its yardstick (0 weakest .. 6 strongest); -1 if on none.
    The two yardsticks rank alike, so a term's rank compares across them."""
    for terms in YARDSTICKS.values():
        if term in terms:
            return terms.index(term)
    return -1


def direction(before: str, after: str, scale: tuple[str, ...]) -> int:
    """+1 when `after` is higher on `scale` than `before`, -1 lower, 0 the same (or unknown)."""
    a = scale.index(before) if before in scale else rank(before)
    b = scale.index(after) if after in scale else rank(after)
    return (b > a) - (b < a)
