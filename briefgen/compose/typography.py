"""Typography of the readers' edition: the quotation marks, apostrophes and range dashes of the
desk's language, applied to what fact files say as it is printed (the files stay as written).

The marks come from the wordbook (`[en.typography]` in wording.toml): English prints “ ” and
‘ ’, French « » with narrow no-break spaces inside. A straight quote opens after a space, an
opening bracket or a dash, and closes elsewhere; a straight apostrophe between letters (or
before a year's digits, ’90s) is the typographic apostrophe; a hyphen between two numbers is an
en dash (2016–2017, 1–5 %), but not inside an ISO date (2019-12-11).
"""

from __future__ import annotations

import re

_OPENS_AFTER = " \t\n([{\u2014\u2013-/\u00a0\u202f"  # a quote after these opens
_RANGE = re.compile(r"(?<![\d-])(\d+)-(?=\d)(?!\d{2}-\d)")  # 2016-2017, 1-5; not 2019-12-11


class Typography:
    """The marks of one language; `apply` sets a text in them."""

    def __init__(self, table: dict):
        self.double = tuple(table.get("quotes") or ("“", "”"))
        self.single = tuple(table.get("single_quotes") or ("‘", "’"))
        self.apostrophe = table.get("apostrophe", "’")
        self.range_dash = table.get("range_dash", "–")
        self._done: dict[str, str] = {}

    def apply(self, text: str) -> str:
        """`text` with the language's marks; cached (the same names and phrases recur)."""
        done = self._done.get(text)
        if done is None:
            done = self._apply(text)
            if len(self._done) < 65536:
                self._done[text] = done
        return done

    def _apply(self, text: str) -> str:
        if "-" in text:
            text = _RANGE.sub(lambda m: m.group(1) + self.range_dash, text)
        if '"' not in text and "'" not in text:
            return text
        out = []
        for i, ch in enumerate(text):
            if ch not in "\"'":
                out.append(ch)
                continue
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            opens = before in _OPENS_AFTER
            if ch == "'" and (before.isalnum() and after.isalpha() or opens and after.isdigit()):
                out.append(self.apostrophe)  # Libya's, ’90s
            elif ch == "'":
                out.append(self.single[0] if opens else self.single[1])
            else:
                out.append(self.double[0] if opens else self.double[1])
        return "".join(out)
