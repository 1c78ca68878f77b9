"""Did you mean: the closest of the known names to a mistyped one, for every hint."""

from __future__ import annotations

from collections.abc import Iterable

CUTOFF = 60  # percent of similarity below which a name is not offered


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice most similar to `word` (at least CUTOFF % alike), first in order on a tie."""
    from rapidfuzz import fuzz, process

    found = process.extractOne(word, list(choices), scorer=fuzz.ratio, score_cutoff=CUTOFF)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str], fallback: str | None = None) -> str | None:
    """"did you mean 'x'?" for the closest choice; else `fallback`, or else the allowed names."""
    choices = list(choices)
    close = closest(word, choices)
    if close is not None:
        return f"did you mean '{close}'?"
    if fallback:
        return fallback
    return "allowed: " + ", ".join(choices) if choices else None
