"""Archived texts: the one way they are found and read (check, quote and source add), folded,
and the quotes that cite them verified.

An archived text is a regular file inside the facts folder (a link out of it is refused: it
could be anything on the machine), no larger than MAX_SOURCE_BYTES, in UTF-8. On a large base
(parsed on two cores, see `files.parse_files`) the forked helper reads, folds and verifies
a little under half of the texts while this process does the rest: folding and verifying are a
third of the work of checking the 10k bench base.
"""

from __future__ import annotations

import weakref
from pathlib import Path

from briefgen.factbase.quotes import SourceText, Verified

HELPER_SHARE = 0.45  # of the archived bytes, read and verified by the helper
MAX_SOURCE_BYTES = 32 * 1024 * 1024  # a whole book is ~1-2 MB (docs/limits.md)
Outcomes = dict[tuple[str, str], "Verified | None"]  # (source id, quote) -> None: not found
_SIGNATURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # `watch` keeps texts


def archived_path(root: Path, file: str) -> tuple[Path, int] | tuple[None, tuple[str, str]]:
    """The archived text's path and size, or None and what is wrong with it (the words after
    the file's name, and a hint), found before anything is read (the desk's one rule for the
    files it names, `desk.desk_file`). `root`: the facts folder, resolved."""
    from briefgen.desk import desk_file

    target, found = desk_file(root, file, "the facts folder", "sources/x.txt", HINTS)
    if target is None:
        if found[0] == "is a folder, not a file":
            return None, ("is a folder, not a text file", HINTS["folder"])
        return None, found
    if found > MAX_SOURCE_BYTES:  # checked before reading: costs nothing
        return None, (f"is {found:,} bytes, larger than the {MAX_SOURCE_BYTES:,} an archived text "
                      "may have", "archive only the part the facts quote, or split it into "
                      "several sources")
    return target, found


HINTS = {"name": "name the archived text, e.g. 'sources/x.txt'",
         "outside": "archive the text under facts/sources/",
         "folder": "name the archived .txt file inside it",
         "special": "archive the text as a plain .txt file"}


def read_archived(root: Path, file: str) -> tuple[str | None, tuple[str, str] | None]:
    """An archived text as it stands (for `quote`), or None and what is wrong with it."""
    target, found = archived_path(root, file)
    if target is None:
        return None, found
    texts, problems = read_texts([("", target)])
    if problems:
        return None, problems[""]
    return texts[""].text, None


def read_texts(targets: list[tuple[str, Path]], cache: dict | None = None):
    """{sid: SourceText} and {sid: (message part)} for those that cannot be read as text."""
    texts, problems = {}, {}
    for sid, target in targets:
        try:
            texts[sid] = _read(target, cache)
        except UnicodeDecodeError as e:
            problems[sid] = f"is not UTF-8 text ({e.reason} at byte {e.start})", \
                "save it as UTF-8"
        except OSError as e:
            problems[sid] = f"cannot be read: {e.strerror}", "check the file's permissions"
    return texts, problems


def _read(target: Path, cache: dict | None) -> SourceText:
    if cache is None:
        return SourceText(target.read_bytes())
    st = target.stat()
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    kept = cache.get(("text", target))
    if kept is None or kept[0] != stamp:
        kept = cache[("text", target)] = (stamp, SourceText(target.read_bytes()))
    return kept[1]


def verify_all(texts: dict[str, SourceText], quotes: list[tuple[str, str]]) -> Outcomes:
    """Each (source id, quote) whose text was read: Verified, or None when it is not found
    (what is wrong is worked out where it is reported, with every text at hand)."""
    outcomes: Outcomes = {}
    for key in quotes:
        text = texts.get(key[0])
        if text is not None and key not in outcomes:
            result = text.verify(key[1])
            outcomes[key] = result if isinstance(result, Verified) else None
    return outcomes


def signatures(texts: dict[str, SourceText]) -> dict[str, dict[int, int]]:
    """Each text's long sentences, by key (see corroboration), computed once per text."""
    from briefgen.factbase.corroboration import signature

    out = {}
    for sid, text in texts.items():
        found = _SIGNATURES.get(text)
        if found is None:
            found = _SIGNATURES[text] = signature(text.folded)
        out[sid] = found
    return out


def _remote(targets: list[tuple[str, Path]], quotes: list[tuple[str, str]]):
    """In the helper: read and verify; only the problems, outcomes and sentence keys go back,
    not the texts."""
    texts, problems = read_texts(targets)
    return problems, verify_all(texts, quotes), signatures(texts)


def split(targets: list[tuple[str, Path]], sizes: list[int], share: float):
    """The targets to send to the helper (about `share` of the bytes) and those to keep."""
    sent, kept, budget = [], [], share * sum(sizes)
    for target, size in zip(targets, sizes, strict=True):
        if budget > 0:
            sent.append(target)
            budget -= size
        else:
            kept.append(target)
    return sent, kept


class Texts:
    """Every readable archived text by source id, and the outcome of each quote checked so far.

    A text verified by the helper is folded here only if one of its quotes fails, or the quote
    of another source must be looked for in it (hints): both only on a broken base.
    """

    def __init__(self, targets: dict[str, Path], cache: dict | None, pool=None,
                 quotes: list[tuple[str, str]] = (), sizes: dict[str, int] | None = None):
        self.targets, self.cache = targets, cache
        items = list(targets.items())
        sent = []
        if pool is not None:
            sent, items = split(items, [sizes[sid] for sid, _ in items], HELPER_SHARE)
        theirs = {sid for sid, _ in sent}
        future = pool.submit(_remote, sent, [q for q in quotes if q[0] in theirs]) \
            if sent else None
        self.texts, self.problems = read_texts(items, cache)
        self.outcomes = verify_all(self.texts, [q for q in quotes if q[0] in self.texts])
        self.signatures = signatures(self.texts)  # sid -> long sentences: corroboration
        if future is not None:
            problems, outcomes, keys = future.result()
            self.problems.update(problems)
            self.outcomes.update(outcomes)
            self.signatures.update(keys)
            self.remote = theirs - problems.keys()
        else:
            self.remote = set()

    def readable(self, sid: str) -> bool:
        return sid in self.texts or sid in self.remote

    def text(self, sid: str) -> SourceText:
        """The folded text, read here if the helper had it."""
        if sid not in self.texts:
            self.texts[sid] = _read(self.targets[sid], self.cache)
        return self.texts[sid]

