"""Inline text of a composed line: Markdown parsed once per shape of line, runs merged by style.

The lines a template prints are Markdown with placeholders (private-use characters around a
number) where values and citations go; `InlineParser` reads their emphasis, `add` and `runs_of`
turn the text between placeholders into the brief model's runs.
"""

from __future__ import annotations

import re

from briefgen.compose.model import Cite, Inline, Run

_NUMBER = re.compile("(?<=[\ue000\ue002])\\d+(?=[\ue001\ue003])")  # a placeholder's number
_EMPTY_AT = re.compile("(?<=[\ue000\ue002])(?=[\ue001\ue003])")  # where a number was taken out
_SPACES = re.compile("[^\\S\u00a0\u2007\u202f]+")  # white space, but no-break spaces stay
_KEEP = re.compile("[\u00a0\u2007\u202f]")  # the no-break spaces _SPACES keeps


class InlineParser:
    """Inline Markdown of a line as (token type, content) pairs, parsed once per shape.

    The lines a template loop prints differ only in their placeholders' numbers, and numbers
    inside a placeholder cannot change how Markdown reads the line (emphasis looks at the
    private-use characters around them). So a line is parsed with its numbers taken out, the
    result is kept for the next line of the same shape, and the numbers are put back in order.
    """

    def __init__(self, md):
        self.md = md
        # shape -> its tokens; the same with each content as a str.format pattern with a {}
        # where each number goes, and how many; the numbers of all tokens
        self.shapes: dict[str, tuple[list, list[tuple[str, str, str, int]], int]] = {}

    def __call__(self, content: str) -> list[tuple[str, str]]:
        numbers = _NUMBER.findall(content)
        shape = _NUMBER.sub("", content) if numbers else content
        entry = self.shapes.get(shape)
        if entry is None:
            tokens = self.parse(shape)
            patterns = [(kind, text, *_pattern(text)) for kind, text in tokens]
            entry = self.shapes[shape] = (tokens, patterns, sum(p[3] for p in patterns))
        tokens, patterns, slots = entry
        if not numbers:
            return tokens
        if slots != len(numbers):  # only if a template typed the private-use characters
            return self.parse(content)
        out, i = [], 0
        for kind, text, pattern, n in patterns:  # put back by str.format: 5,000 lines -0.008 s
            out.append((kind, pattern.format(*numbers[i:i + n]) if n else text))
            i += n
        return out

    def parse(self, content: str) -> list[tuple[str, str]]:
        return [(t.type, t.content) for t in self.md.parseInline(content)[0].children or []]


def _pattern(text: str) -> tuple[str, int]:
    """A token's text as a str.format pattern with a {} where each placeholder's number goes."""
    pieces = _EMPTY_AT.split(text.replace("{", "{{").replace("}", "}}"))
    return "{}".join(pieces), len(pieces) - 1


def one_line(value: str) -> str:
    """A printed value on one line, its white space single spaces; no-break spaces stay."""
    # Most values are so already: printable (no line breaks, tabs or spaces other than " "),
    # no "  ", none at the ends. They stay as they are (5,000-line brief: -0.009 s).
    if value.isprintable() and "  " not in value and not value.startswith(" ") \
            and not value.endswith(" "):
        return value
    # str.split() would break no-break spaces too; the regex only when there are any
    return _SPACES.sub(" ", value).strip(" ") if _KEEP.search(value) else " ".join(value.split())


def add(parts: list, text: str, bold: bool, italic: bool) -> None:
    """Append text, joining it to the previous run when the style is the same."""
    last = parts[-1] if parts else None
    if last.__class__ is list and last[1] == bold and last[2] == italic:
        last[0] += text
    elif text:
        parts.append([text, bold, italic])


def runs_of(parts: list, runs: dict) -> tuple[Inline, ...]:
    """Runs from the merged parts (each the one of `runs` equal to it): trimmed at the ends and
    before each citation marker."""
    inlines = []
    for i, part in enumerate(parts):
        if part.__class__ is not list:
            inlines.append(part)
            continue
        if i == 0:
            part[0] = part[0].lstrip()
        if i == len(parts) - 1 or isinstance(parts[i + 1], Cite):
            part[0] = part[0].rstrip()  # no space between a word and its marker
        if part[0]:
            key = tuple(part)
            run = runs.get(key)
            inlines.append(run if run is not None else runs.setdefault(key, Run(*part)))
    return tuple(inlines)
