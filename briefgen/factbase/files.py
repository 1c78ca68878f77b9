"""Fact files, one at a time: parse, validate each item, and say in plain words what is wrong.

A file becomes a list of events that `factbase` replays in file order; a large base is parsed
on two cores (see `parse_files`).
"""

from __future__ import annotations

import typing
from pathlib import Path

from briefgen.errors import Diagnostic, display_path
from briefgen.factbase.models import CONFIDENCES, KINDS, LIKELIHOODS
from briefgen.factbase.yamlpos import YamlDoc, load
from briefgen.suggest import closest, did_you_mean

SLUG_HINT = "use lowercase letters, digits and single hyphens, e.g. 'nato-watch-2013-06'"


PARALLEL_BYTES = 2_000_000  # below this, starting a second process costs more than it saves
# The helper's share of the bytes to parse: less than half, since what it parses still has to
# be packed, sent and unpacked here while this process waits for it.
HELPER_PARSE_SHARE = 0.44


def helper_for(paths: list[Path]):
    """A forked helper process (a one-worker pool) when the base is large enough to pay for
    it, else None."""
    from briefgen.workers import can_fork, fork_pool

    sizes = [p.stat().st_size if p.is_file() else 0 for p in paths]
    if sum(sizes) < PARALLEL_BYTES or len(paths) < 2 or not can_fork():
        return None
    return fork_pool()


def parse_files(paths: list[Path], pool=None):
    """Each file's parse events, in order; a large base is parsed on two cores at once.

    A forked helper (`pool`, or one started here if the base is large) parses and validates
    a little under half of the bytes (HELPER_PARSE_SHARE) and sends back only events
    (diagnostics and validated items, no YAML positions): this process re-reads a helper's
    file only if it must point at a place in it later, to report a problem.
    """
    if pool is None:
        pool = helper_for(paths)
        if pool is None:
            yield from (_Parser(p).parse() for p in paths)
            return
        with pool:
            yield from parse_files(paths, pool)
        return
    sizes = [p.stat().st_size if p.is_file() else 0 for p in paths]
    mine, theirs, load = [], [], [0.0, 0.0]
    for i in sorted(range(len(paths)), key=lambda i: -sizes[i]):  # largest first, to the lighter
        side = 0 if load[0] <= load[1] else 1
        (mine, theirs)[side].append(i)
        load[side] += sizes[i] / (1 - HELPER_PARSE_SHARE if side == 0 else HELPER_PARSE_SHARE)
    remote = pool.submit(_parse_remote, [paths[i] for i in sorted(theirs)])
    local = {i: _Parser(paths[i]).parse() for i in mine}
    local.update(zip(sorted(theirs), remote.result(), strict=True))
    yield from (local[i] for i in range(len(paths)))


# The fields a diagnostic of the whole base points at (a quote, a grading, a date...): their
# positions travel back from the helper, packed, so that a warning there does not make the
# main process parse the file again (a pickled table costs ~1 ms to read, a parse ~25 ms).
SHIPPED = frozenset({"quote", "credibility", "attributed_to", "statement", "date", "kind", "id",
                     "file", "source", "based_on", "confidence", "likelihood"})


def _parse_remote(paths: list[Path]) -> list[list]:
    import pickle

    out = []
    for p in paths:
        events = _Parser(p).parse()
        doc = events[0][1]
        shipped = {path: pos for path, pos in doc.values.items() if path and (
            path[-1] in SHIPPED or len(path) > 1 and path[-2] == "based_on")}
        # the main process reads the rest again if a problem is reported there
        events[0] = ("doc", pickle.dumps(shipped, pickle.HIGHEST_PROTOCOL))
        out.append(events)
    return out


class _Parser:
    """Parses and validates one fact file into events, replayed in file order by `_Loader`.

    Events: ("doc", YamlDoc) first, then ("diag", Diagnostic), ("invalid", (kind, id)),
    ("unread", None) when part of the file could not be read (its items are unknown), and
    ("item", kind, model, path, position of the item, position of its id) as found.
    """

    def __init__(self, path: Path):
        self.path, self.file = path, display_path(path)
        self.events: list[tuple] = []

    def report(self, file: str, pos: tuple[int, int], message: str, *, id: str | None = None,
               field: str | None = None, hint: str | None = None, severity: str = "error") -> None:
        self.events.append(("diag", Diagnostic(file, pos[0], pos[1], severity, message, id=id,
                                               field=field, hint=hint)))

    def parse(self) -> list[tuple]:
        file = self.file
        doc = load(self.path, refuse_hidden=True)
        self.events.append(("doc", doc))
        for pos, message, hint in doc.problems:
            self.report(file, pos, message, hint=hint)
        if doc.fatal:
            self.events.append(("unread", None))
            return self.events  # syntax, encoding or size: the data is incomplete
        data = doc.data
        if not isinstance(data, dict) or not data:
            self.events.append(("unread", None))
            self.report(file, doc.pos(()), "a fact file must be a mapping with one or more of "
                        "the keys sources, themes, facts, judgments",
                        hint="start the file with 'facts:'")
            return self.events
        for key, items in data.items():
            if key not in KINDS:
                self.events.append(("unread", None))
                self.report(file, doc.pos((key,), key=True), f"unknown top-level key '{key}'",
                            hint=did_you_mean(key, KINDS))
            elif not isinstance(items, list):
                self.events.append(("unread", None))
                self.report(file, doc.pos((key,)),
                            f"'{key}' must be a list (items start with '- ')")
            else:
                for index, item in enumerate(items):
                    self.read_item(file, doc, key, index, item)
        return self.events

    def read_item(self, file: str, doc: YamlDoc, kind: str, index: int, item: object) -> None:
        from pydantic import ValidationError

        model = KINDS[kind]
        path = (kind, index)
        item_id = item.get("id") if isinstance(item, dict) else None
        item_id = item_id if isinstance(item_id, str) else None
        try:
            obj = model.model_validate(item)
        except ValidationError as e:
            self.events.append(("invalid", (kind, item_id)))
            self.events.append(("refers", references(item)))
            errors = e.errors(include_url=False)
            # A misspelt key is reported once, as unknown with "did you mean", not also missing.
            typos = {(tuple(x["loc"][:-1]), close) for x in errors
                     if x["type"] == "extra_forbidden"
                     and (close := closest(str(x["loc"][-1]), _fields_at(model, x["loc"][:-1])))}
            for err in errors:
                if err["type"] == "missing" and (tuple(err["loc"][:-1]), err["loc"][-1]) in typos:
                    continue
                if not any(path + tuple(err["loc"])[:n] in doc.aliases
                           for n in range(len(err["loc"]) + 1)):  # an alias is reported once
                    self.pydantic_error(file, doc, path, model, item_id, err)
            return
        self.events.append(("item", kind, obj, path, doc.pos(path), doc.pos(path + ("id",))))

    def pydantic_error(self, file, doc, path, model, item_id, err) -> None:
        loc = tuple(err["loc"])
        field = dotted(loc)
        kind, value = err["type"], err.get("input")
        hint = None
        if kind == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
            hint = did_you_mean(str(loc[-1]), _fields_at(model, loc[:-1]))
            pos = doc.pos(path + loc, key=True)
            field = dotted(loc[:-1]) or None
        elif kind == "missing":
            message = f"required key '{loc[-1]}' is missing"
            hint = f"add '{loc[-1]}:' (see {model.__name__}s in `briefgen docs facts`)"
            pos = doc.pos(path + loc[:-1])
            field = dotted(loc[:-1]) or None
        elif not loc and kind in ("model_type", "dict_type"):
            message = f"each item must be a mapping of keys, got {_show(value)}"
            hint = f"write it as '- id: ...' followed by the {model.__name__.lower()}'s keys"
            pos = doc.pos(path)
        else:
            pos = doc.pos(path + loc)
            message, hint = _message(kind, err, value, loc)
        self.report(file, pos, message, id=item_id, field=field, hint=hint)


HINTS = {
    "date": "write a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2019-12-11",
    "published": "write a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2019-12-11",
    "url": "use the article's http:// or https:// address (a space written %20), or leave "
           "url out",
    "kind": "choose event, statement, assessment or allegation",
    "reliability": "source reliability runs from A (reliable) to F (cannot be judged)",
    "credibility": "credibility runs from 1 (confirmed) to 6 (cannot be judged)",
    "likelihood": "use a term of the ICD 203 scale, from 'almost no chance' to 'almost certain'",
    "confidence": "choose low, moderate or high",
    "status": "choose withdrawn, discredited or disputed, or leave status out",
}
CHOICES = {"likelihood": LIKELIHOODS, "confidence": CONFIDENCES,
           "status": ("withdrawn", "discredited", "disputed")}


def _message(kind: str, err: dict, value, loc: tuple) -> tuple[str, str | None]:
    """A plain-words message and a hint for one Pydantic error."""
    name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    hint = HINTS.get(name)
    if kind == "string_pattern_mismatch" and name == "language":
        return f"'{value}' is not a BCP 47 language tag", "e.g. 'en', 'ar', 'fr-BE'"
    if kind == "string_pattern_mismatch":
        return f"'{value}' is not a slug", SLUG_HINT
    if kind == "literal_error":
        if name in CHOICES and isinstance(value, str):
            hint = did_you_mean(value.strip().lower(), CHOICES[name], hint)
        return f"'{value}' is not one of {err['ctx']['expected']}", hint
    if kind == "value_error":
        return str(err["ctx"]["error"]), hint
    if kind in ("less_than_equal", "greater_than_equal"):
        return f"{value!r} is out of range", hint
    if kind == "too_short":
        return "must have at least one entry", "add one, e.g. '- ...' on the next line"
    if kind == "string_too_short":
        return "must not be empty", "write the text or leave the key out if it is optional"
    expected = {"string_type": "text", "int_type": "a whole number", "list_type": "a list",
                "int_parsing": "a whole number", "dict_type": "a mapping"}.get(kind)
    if expected:
        shape = {"text": "write plain text (quote it if it contains ': ')",
                 "a list": "write [a, b] or one '- item' per line",
                 "a mapping": "write 'key: value' lines"}.get(expected)
        return f"must be {expected}, got {_show(value)}", hint or shape or "write a number"
    return err["msg"][0].lower() + err["msg"][1:], hint or "see facts/schema.json"


def _show(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def dotted(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _fields_at(model, loc: tuple) -> list[str]:
    """Field names of the (nested) model at `loc`, for 'did you mean' hints."""
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        args = typing.get_args(annotation) or (annotation,)
        model = next((a for a in args if hasattr(a, "model_fields")), None)
        if model is None:
            return []
    return list(model.model_fields)


def references(item: object) -> tuple[set[str], set[str]]:
    """The sources and themes an item names, read from its raw form: an item left out for its
    errors still uses them, so they are not reported unused as well."""
    sources: set[str] = set()
    themes: set[str] = set()
    if isinstance(item, dict):
        named = item.get("themes")
        if isinstance(named, list):
            themes.update(t for t in named if isinstance(t, str))
        citations = item.get("citations")
        if isinstance(citations, list):
            sources.update(c["source"] for c in citations
                           if isinstance(c, dict) and isinstance(c.get("source"), str))
    return sources, themes
