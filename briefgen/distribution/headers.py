"""What may go into a mail header: text that stays one line, and a name that stays a name,
once the RFC 2047 encoded words in it (`=?utf-8?b?...?=`) are decoded as mail programs and
Python's email package decode them; and a last look at each header as it is written."""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import HeaderRegistry

from briefgen.characters import clip, escape, header_problem

ENCODED_WORD = re.compile(r"=\?[^?]*\?[bBqQ]\?.*?\?=", re.DOTALL)
ADDRESS_SYNTAX = set('<>@,;:"')
_NEW_LINE = re.compile(r"\r?\n(?![ \t])")  # a line break that starts another header


class _HeaderClasses(HeaderRegistry):
    """The email package's header registry, with each header's class made once: its own
    registry makes a new class whenever a header is set or parsed, cyclic garbage that a
    one-shot command (which runs without the cycle collector) would keep, 40 kB a message."""

    def __init__(self):
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._classes.get(key)
        if made is None:
            made = self._classes[key] = super().__getitem__(name)
        return made


# The policy every message is made, checked and written with: the email package's SMTP.
SMTP = policy.SMTP.clone(header_factory=_HeaderClasses())


def problem(text: str, display_name: bool = False) -> str | None:
    """Why `text` may not go into a header, or None: a line break or control character, as
    written or once decoded; for a display name, an encoded word that decodes to address
    syntax (it would reach the header unquoted, as another recipient)."""
    found = header_problem(text)
    if found or "=?" not in text:
        return found
    decoded = str(SMTP.header_factory("Subject", text))
    found = header_problem(decoded)
    if found:
        return f"{found} once its encoded words are decoded ('{escape(clip(decoded, 80))}')"
    if display_name:
        for word in ENCODED_WORD.findall(text):
            plain = str(SMTP.header_factory("Subject", word))
            if plain != word and ADDRESS_SYNTAX & set(plain):
                return (f"holds the encoded word '{escape(clip(word, 60))}', which decodes to "
                        f"an address or a list ('{escape(clip(plain, 60))}')")
    return None


def as_written(name: str, header, addresses: int | None = None) -> None:
    """Raise ValueError unless the header, as written, stays one header (and, read back,
    holds `addresses` addresses)."""
    folded = header.fold(policy=SMTP)
    if _NEW_LINE.search(folded.rstrip("\r\n")):
        raise ValueError(f"the {name} header would break into another header")
    if addresses is not None:
        value = re.sub(r"\r?\n(?=[ \t])", "", folded.split(":", 1)[1]).strip()  # unfolded
        if len(SMTP.header_factory(name, value).addresses) != addresses:
            raise ValueError(f"the {name} header would name other recipients")
