"""Characters that hide or scramble text: refused in every file a desk writes and briefgen
prints from (fact files, briefgen.toml, wording.toml, templates), escaped in every message.

Those files hold text a reader will see; a message goes to a terminal. Neither has a use for
control characters, for Unicode noncharacters, for bidirectional embeddings, overrides and
isolates (they can make text display in an order other than the one it is stored in), for
invisible characters, for blanks that are not spaces, or for line separators that YAML and TOML
read as line ends. Tab, line feed, the zero-width joiner and non-joiner (needed to write
Persian, Urdu and Indic scripts, and emoji) and the unscoped direction marks LRM, RLM and ALM
(U+200E, U+200F, U+061C) are fine: the writers lay out right-to-left text by themselves.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab, line feed and carriage return (a line break in YAML, refused only when
# written as an escape: see `refused_in_value`), DEL, and the C1 controls.
CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
LINE_BREAKS = "\r\n\v\f\x85\u2028\u2029"
# Line and paragraph separators: YAML and TOML end a line at them, most editors show nothing.
SEPARATORS = "\u2028\u2029"
# Invisible characters that no text a brief prints needs: format characters (zero-width space,
# Mongolian vowel separator, word joiner and invisible operators, deprecated format controls,
# a BOM inside the text, interlinear annotation marks, shorthand and musical format controls,
# tag characters), the combining grapheme joiner, Khmer inherent vowels, Mongolian free
# variation selectors, variation selectors (they pick a glyph variant that no bundled font has)
# and the object replacement character (it stands for an image the text does not hold).
INVISIBLE_BMP = ("\u034f\u17b4\u17b5\u180b-\u180f\u200b\u2060-\u2064\u206a-\u206f"
                 "\ufe00-\ufe0f\ufeff\ufff9-\ufffc")
INVISIBLE_ASTRAL = ("\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
                    "\U000e0100-\U000e01ef")
INVISIBLE = INVISIBLE_BMP + INVISIBLE_ASTRAL
# Letters and symbols drawn as nothing: Hangul fillers and the blank braille pattern look
# like a space and are not one (a name that holds one looks like another name).
BLANKS = "\u115f\u1160\u2800\u3164\uffa0"
# Marks written before a number and drawn over its digits (Arabic number sign, end of ayah...):
# the writers lay text out character by character and cannot span digits with them.
NUMBER_MARKS_BMP = "\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2"
NUMBER_MARKS_ASTRAL = "\U000110bd\U000110cd"
NONCHARACTERS_BMP = "\ufdd0-\ufdef\ufffe\uffff"
NONCHARACTERS_ASTRAL = "".join(chr(plane << 16 | 0xfffe) + chr(plane << 16 | 0xffff)
                               for plane in range(1, 17))
_BMP = f"{CONTROLS}{BIDI_CONTROLS}{SEPARATORS}{INVISIBLE_BMP}{BLANKS}{NUMBER_MARKS_BMP}" \
       f"{NONCHARACTERS_BMP}"

# Refused in every file a desk writes that briefgen prints from (fact files, briefgen.toml,
# wording.toml, templates). Checked in two steps because a class with astral ranges is ~4x
# slower to search: the BMP class on every file, the astral one only in files that have such
# characters (UTF-8 lead bytes F0-F4), which are rare.
REFUSED_BMP = re.compile(f"[{_BMP}]")
REFUSED = re.compile(f"[{_BMP}{INVISIBLE_ASTRAL}{NUMBER_MARKS_ASTRAL}{NONCHARACTERS_ASTRAL}]")
# In a value a YAML escape wrote (double-quoted text), a carriage return is refused too.
REFUSED_IN_VALUES = re.compile(f"[\r{REFUSED.pattern[1:]}")
# Escaped in messages: the refused characters, and also tab, line breaks and lone surrogates
# (which cannot even be printed), so that every message stays one safe line.
_UNSAFE = re.compile(f"[\t\n\r\ud800-\udfff{REFUSED.pattern[1:]}")
_ASTRAL_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")


def escape(text: str) -> str:
    """`text` with every unsafe character written as a Python escape (`\\x1b`, `\\u202e`)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def find_refused(text: str, raw: bytes | None = None):
    """Every refused character of `text` as a match; `raw` (its UTF-8 bytes) makes it faster."""
    astral = raw is None or any(lead in raw for lead in _ASTRAL_LEADS)
    return (REFUSED if astral else REFUSED_BMP).finditer(text)


def describe(ch: str) -> str:
    """'control character U+000C', 'bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)'."""
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    if unicodedata.category(ch) == "Cc":
        return f"control character {code}"
    if re.match(f"[{NONCHARACTERS_BMP}{NONCHARACTERS_ASTRAL}]", ch):
        return f"noncharacter {code}"
    kind = _kind(ch)[0]
    return f"{kind} {code} ({name})" if name else f"{kind} {code}"


def _kind(ch: str) -> tuple[str, str]:
    """What a refused character is, and what to do about it."""
    if re.match(f"[{BIDI_CONTROLS}]", ch):
        return "bidirectional control", ("delete it; briefgen lays out right-to-left text by "
                                         "itself, and the marks U+200E, U+200F and U+061C are "
                                         "allowed")
    if ch in SEPARATORS:
        return "line break", "YAML and TOML end the line there: write a space or a line break"
    if ch in BLANKS:
        return "blank character", "it looks like a space and is not one: write a space"
    if re.match(f"[{NUMBER_MARKS_BMP}{NUMBER_MARKS_ASTRAL}]", ch):
        return "number mark", "delete it: briefs cannot draw it over the digits after it"
    return "invisible character", "delete it: a reader could not see it"


def header_problem(text: str) -> str | None:
    """'contains a line break (U+000A)' when `text` holds a character that no mail header (a
    reader's name or address, the sender) may: a line break, a control character, a
    bidirectional control."""
    for ch in text:
        code = f"U+{ord(ch):04X}"
        if ch in LINE_BREAKS:
            return f"contains a line break ({code})"
        if unicodedata.category(ch) == "Cc" or re.match(f"[{BIDI_CONTROLS}]", ch):
            return f"contains the control character {code}"
    return None


def clip(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with an ellipsis, for a message that quotes it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def refusal(ch: str, escaped: bool = False, where: str = "fact files") -> tuple[str, str]:
    """The message and hint for a refused character in a file of the desk (`escaped`: written
    as an escape in double-quoted text)."""
    written = ", not even as an escape" if escaped else ""
    message = f"{describe(ch)} is not allowed in {where}{written}"
    if unicodedata.category(ch) == "Cc":
        return message, "delete it; tab and line break are the only control characters allowed"
    return message, _kind(ch)[1]


def texts_in(value, loc: tuple = (), indexed: bool = True):
    """(where, text) for every string inside nested mappings and lists, `where` the keys (and,
    if `indexed`, the list positions) that lead to it: what the character checks walk."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from texts_in(inner, (*loc, key), indexed)
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from texts_in(inner, (*loc, n) if indexed else loc, indexed)

