"""python-bidi's pure-Python algorithm, step by step (writers/bidi.py)."""

from __future__ import annotations

import unicodedata

import pytest

from conftest import ARABIC


def _reordered(text: str, levels: list[int]) -> str:
    """Characters in display order by their resolved levels (Unicode bidi rule L2)."""
    chars, levels = list(text), list(levels)
    odd = [level for level in levels if level % 2]
    for level in range(max(levels), min(odd, default=max(levels) + 1) - 1, -1):
        i = 0
        while i < len(chars):
            j = i
            while j < len(chars) and levels[j] >= level:
                j += 1
            chars[i:j], levels[i:j] = chars[i:j][::-1], levels[i:j][::-1]
            i = j + 1
    return "".join(chars)


@pytest.mark.parametrize("text", [
    ARABIC,
    f"Haftar met {ARABIC}, 28 Aug 2017",
    "مركز المستقبل, 28 Aug 2017",
    "قال 25 شخصا في 2019 إن 1,000 دولار",
    "The US said: لا إله إلا الله. Then left",
    "a b ج د 12.5% e",
    "שלום world 3-4 עולם",
    "\u202bمرحبا 12\u202c abc",  # an embedding: removed by rule X9, its characters stay RTL
    "abc\u200fdef",
])
def test_the_bidi_steps_resolve_the_levels_python_bidi_displays_by(text):
    """`levels` calls the steps of python-bidi's pure-Python algorithm one by one (to read the
    resolved levels, which it does not return): reordered by those levels, a line reads as
    python-bidi's own `get_display` shows it."""
    import bidi
    from bidi import algorithm

    from briefgen.writers.bidi import levels

    kept = [i for i, ch in enumerate(text)
            if unicodedata.bidirectional(ch) not in algorithm.X9_REMOVED]
    resolved = levels(text)
    shown = _reordered("".join(text[i] for i in kept), [resolved[i] for i in kept])
    assert shown == algorithm.get_display(text, base_dir="L")
    current = bidi.get_display(text, base_dir="L")  # its Rust implementation keeps controls
    assert shown == "".join(c for c in current
                            if unicodedata.bidirectional(c) not in algorithm.X9_REMOVED)
