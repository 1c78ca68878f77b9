"""Right-to-left text for both writers: one bidi algorithm (python-bidi), one answer.

`rtl_spans` gives the right-to-left spans of a left-to-right line: the characters the Unicode
bidi algorithm puts at a raised embedding level (Arabic words, the spaces and numbers between
them). Text composed from fields ("مركز المستقبل, 28 Aug 2017") means the numbers after an
Arabic field to belong to the Latin text that follows, so a span's trailing numbers and
punctuation go back to the left-to-right text when a Latin letter follows later in the line (the
Word writer also puts a left-to-right mark there, so Word shows it the same way); a closing
bracket whose opening one is in the span joins it (rule N0, which python-bidi's algorithm
predates). The Word writer makes each span a `w:rtl` run; the PDF writer shapes each span.
"""

from __future__ import annotations

import re
import unicodedata

# Any right-to-left letter (Hebrew, Arabic, Syriac, Thaana, NKo, ..., presentation forms).
_RTL_CHAR = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]|[\U00010800-\U00010fff]"
                       "|[\U0001e800-\U0001efff]")
_PAIRS = {")": "(", "]": "[", "}": "{"}


def has_rtl(text: str) -> bool:
    return _RTL_CHAR.search(text) is not None


def first_strong_is_rtl(text: str) -> bool:
    """Unicode bidi rule P2: the paragraph direction is that of its first strong character."""
    if not has_rtl(text):
        return False
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def levels(text: str) -> list[int]:
    """The resolved embedding level of each character of a left-to-right paragraph.

    python-bidi's `get_display` does not return the levels, so its pure-Python algorithm's steps
    are called one by one, as it calls them up to the reordering: a line reordered by these
    levels reads as `get_display` shows it (tests/internals/test_python_bidi.py).
    """
    from bidi import algorithm as uba  # python-bidi's pure-Python algorithm exposes the levels

    storage = uba.get_empty_storage()
    storage["base_level"], storage["base_dir"] = 0, "L"
    uba.get_embedding_levels(text, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["i"] = i  # rule X9 drops embedding controls: remember where each character was
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    out = [0] * len(text)
    for ch in storage["chars"]:
        if ch["i"] < len(out):
            out[ch["i"]] = ch["level"]
    return out


def rtl_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each right-to-left span of a left-to-right line, in order."""
    if not has_rtl(text):
        return []
    spans: list[list[int]] = []
    classes = [unicodedata.bidirectional(c) for c in text]
    for i, level in enumerate(levels(text)):
        if level > 0:
            if spans and spans[-1][1] == i:
                spans[-1][1] = i + 1
            else:
                spans.append([i, i + 1])
    last_ltr = max((i for i, c in enumerate(classes) if c == "L"), default=-1)
    for span in spans:
        if last_ltr >= span[1]:  # Latin follows: the span ends with its last right-to-left letter
            while span[1] > span[0] and classes[span[1] - 1] not in ("R", "AL", "NSM"):
                span[1] -= 1
    for span in spans:  # N0: a closing bracket joins the span holding its opening bracket
        end = span[1]
        if end < len(text) and text[end] in _PAIRS:
            inside = text[span[0]:end]
            if inside.count(_PAIRS[text[end]]) > inside.count(text[end]):
                span[1] = end + 1
    return [(a, b) for a, b in spans]


def segments(text: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, is right-to-left) pieces, in logical order."""
    spans = rtl_spans(text)
    if not spans:
        return [(text, False)]
    out, pos = [], 0
    for start, end in spans:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out
