"""A judgment's form: likelihood terms on the desk's yardstick, its revisions in order, and a
time frame for a forecast.

Decisions documented in docs/judgments.md:
- the desk's `yardstick` (briefgen.toml) decides which terms are on the scale; a term of the
  other yardstick is refused with its counterpart of the same rank, a common synonym
  ("probable") with the term the yardstick writes for it, anything else with a did-you-mean;
  while briefgen.toml has errors, a term of either yardstick is accepted;
- revisions are earlier states, oldest first: each dated after the one before it and before
  the judgment's own date (compared by their first day, so 2019-12 comes before 2019-12-06);
- a judgment is forward-looking when its statement uses the future: the words of
  FORWARD_LOOKING (English statements); without a `horizon` that is a warning.
"""

from __future__ import annotations

import re

from briefgen.factbase.history import rank
from briefgen.factbase.models import YARDSTICK_NAMES, YARDSTICKS
from briefgen.suggest import did_you_mean

FORWARD_LOOKING = re.compile(r"\b(will|won't|shall|going to)\b", re.IGNORECASE)
# Other names of the yardsticks' terms (ICD 203 lists pairs; PHIA says "likely or probable"),
# by rank: a desk writes the one term of its own yardstick.
SYNONYMS = {"remote": 0, "highly improbable": 1, "improbable": 2, "roughly even odds": 3,
            "probable": 4, "likely or probable": 4, "highly probable": 5, "nearly certain": 6}


def term_problem(term: str, yardstick: str | None) -> tuple[str, str] | None:
    """(message, hint) when `term` is not on `yardstick` (None: on either), else None."""
    allowed = YARDSTICKS[yardstick] if yardstick else tuple(
        dict.fromkeys(t for terms in YARDSTICKS.values() for t in terms))
    if term in allowed:
        return None
    name = YARDSTICK_NAMES.get(yardstick, "") if yardstick else "ICD 203 or PHIA"
    message = f"'{term}' is not a term of the {name} yardstick"
    folded = term.strip().lower()
    other = next((y for y, terms in YARDSTICKS.items() if y != yardstick and term in terms),
                 None)
    if yardstick and other:
        counterpart = YARDSTICKS[yardstick][rank(term)]
        return message, (f"{YARDSTICK_NAMES[other]}'s '{term}' is '{counterpart}' on "
                         f"{name}, the desk's yardstick ('yardstick' in briefgen.toml)")
    if folded in SYNONYMS:
        scale = YARDSTICKS[yardstick or "icd203"]
        return message, f"write '{scale[SYNONYMS[folded]]}', the {name} term for '{term}'"
    return message, did_you_mean(folded, allowed, "use one of: " + ", ".join(allowed))


def check_form(loader) -> None:
    """Terms on the desk's yardstick, revisions in order, a horizon for each forecast."""
    for jid, judgment in loader.base.judgments.items():
        _check_one(loader, jid, judgment, loader.yardstick)


def _check_one(loader, jid: str, judgment, yardstick: str | None) -> None:
    file, path = loader.paths[("judgments", jid)]
    doc = loader.docs[file]

    def report(where: tuple, field: str, problem, severity: str = "error") -> None:
        loader.report(file, doc.pos(path + where), problem[0], id=jid, field=field,
                      hint=problem[1], severity=severity)

    found = term_problem(judgment.likelihood, yardstick)
    if found:
        report(("likelihood",), "likelihood", found)
    previous = None
    for i, revision in enumerate(judgment.revisions):
        at = f"revisions[{i}]"
        found = term_problem(revision.likelihood, yardstick)
        if found:
            report(("revisions", i, "likelihood"), f"{at}.likelihood", found)
        if previous is not None and revision.date.first_day <= previous.first_day:
            report(("revisions", i, "date"), f"{at}.date", (
                f"revision dated {revision.date} is not after the one before it ({previous})",
                "list revisions oldest first, each dated after the one before it"))
        elif revision.date.first_day >= judgment.date.first_day:
            report(("revisions", i, "date"), f"{at}.date", (
                f"revision dated {revision.date} is not before the judgment's date "
                f"({judgment.date})", "the judgment's date is when its current terms began; "
                                      "revisions are the states before it"))
        previous = revision.date
    future = FORWARD_LOOKING.search(judgment.statement)
    if future and not judgment.horizon:
        report(("statement",), "statement", (
            f"forward-looking judgment (its statement says '{future.group(0)}') has no "
            "horizon", "add 'horizon:' with its time frame, e.g. 'through June 2020'"),
            severity="warning")
