"""Read YAML into plain data plus the line/column of every node, safely and fast (libyaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 16 * 1024 * 1024  # a fact file larger than this is a mistake, not data
MAX_NODES = 2_000_000  # bounds work on hostile input even without aliases
MAX_DEPTH = 64  # fact files nest four levels; anything deeper is a mistake or an attack

Pos = tuple[int, int]  # 1-based line, column


@dataclass
class YamlDoc:
    """Plain data and where each part of it stands; `problems` are (pos, message, hint)."""

    data: object = None
    values: dict[tuple, Pos] = field(default_factory=dict)  # path -> position of the value
    keys: dict[tuple, Pos] = field(default_factory=dict)  # path -> position of its mapping key
    problems: list[tuple[Pos, str, str | None]] = field(default_factory=list)
    aliases: set[tuple] = field(default_factory=set)  # paths of refused aliases (reported)
    fatal: bool = False  # the data is incomplete or absent (syntax, encoding, size)

    def pos(self, path: tuple, key: bool = False) -> Pos:
        """Position of a path, or of the nearest enclosing node that has one."""
        table = self.keys if key else self.values
        while path:
            if path in table:
                return table[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


def load(path: Path, refuse_hidden: bool = False) -> YamlDoc:
    """Parse one YAML file; every problem becomes a located entry of `problems`, never a raise.

    With `refuse_hidden`, each character briefgen.characters refuses is a problem where it
    stands (or, written as an escape in double-quoted text, where that text starts).
    """
    import yaml

    doc = YamlDoc()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # checked before reading: a huge file costs nothing
            doc.problems.append(((1, 1), f"file is {size:,} bytes, larger than the "
                                 f"{MAX_FILE_BYTES:,} a fact file may have",
                                 "split it into smaller files"))
            doc.fatal = True
            return doc
        raw = path.read_bytes()
    except OSError as e:  # unreadable, or removed since it was listed
        doc.problems.append(((1, 1), f"cannot be read: {e.strerror}",
                             "check the file's permissions"))
        doc.fatal = True
        return doc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        doc.problems.append(((line, col), f"not UTF-8 (byte 0x{raw[e.start]:02x})",
                             "save the file as UTF-8"))
        doc.fatal = True
        return doc
    text = text.removeprefix("\ufeff")
    if refuse_hidden:
        text = _refuse_hidden(doc, text, raw)
    try:
        # The events yaml.parse() yields, taken from the parser without the generator and the
        # check_event() call per event that yaml.parse() adds.
        parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            _build(doc, iter(parser.get_event, None), refuse_hidden)
        finally:
            parser.dispose()
    except yaml.MarkedYAMLError as e:
        doc.problems.append(_syntax_problem(e, text))
        doc.fatal = True
    except yaml.reader.ReaderError as e:  # a control character: locate it from its offset
        line = text.count("\n", 0, e.position) + 1
        col = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        doc.problems.append(((line, col), f"YAML syntax: control character #x{e.character:04x} "
                             "is not allowed", "remove it or write it as an escape in a "
                             "double-quoted string"))
        doc.fatal = True
    return doc


def _refuse_hidden(doc: YamlDoc, text: str, raw: bytes) -> str:
    """Report every refused character (the first of each line); return the text to parse,
    with them made spaces so that the parser (which stops at a control character) goes on."""
    from briefgen.characters import REFUSED, find_refused, refusal

    line, counted, last = 1, 0, 0
    reported = False
    for m in find_refused(text, raw):
        i = m.start()
        line += text.count("\n", counted, i)
        counted = i
        if line != last:
            message, hint = refusal(m.group())
            doc.problems.append(((line, i - text.rfind("\n", 0, i)), message, hint))
            last = line
        reported = True
    return REFUSED.sub(" ", text) if reported else text


def _syntax_problem(e, text: str):
    """A located, actionable message for a YAML syntax error."""
    mark = e.problem_mark or e.context_mark
    pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message, hint = f"YAML syntax: {e.problem or e.context}", \
        "check indentation, colons and quoting around this point"
    if "nesting depth" in message:  # libyaml's own limit, met while it reads ahead
        message, hint = "nested too deeply", "fact files need four levels at most"
    elif mark and text[mark.index:mark.index + 1] == "\t" and "tab" not in message:
        message, hint = "YAML syntax: a tab character here", "indent with spaces, not tabs"
    elif "tab character" in message:
        hint = "indent with spaces, not tabs"
    elif "mapping values are not allowed" in message:  # `key: text: more text`, unquoted
        hint = "put text that contains ': ' in quotes"
    elif e.context and "quoted scalar" in e.context and e.context_mark:
        start = e.context_mark
        pos = (start.line + 1, start.column + 1)
        message = "YAML syntax: this quoted text is never closed"
        hint = f"add the closing quote (the file ends at line {mark.line + 1})"
    return pos, message, hint


# YAML 1.1's implicit types, as PyYAML's resolver (yaml/resolver.py) writes them.
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"yes": True, "Yes": True, "YES": True, "true": True, "True": True, "TRUE": True,
         "on": True, "On": True, "ON": True, "no": False, "No": False, "NO": False,
         "false": False, "False": False, "FALSE": False, "off": False, "Off": False,
         "OFF": False}
_FLOAT = re.compile(r"""[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                       |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                       |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                       |[-+]?\.(?:inf|Inf|INF)
                       |\.(?:nan|NaN|NAN)""", re.X)
_INT = re.compile(r"""[-+]?0b[0-1_]+
                     |[-+]?0[0-7_]+
                     |[-+]?(?:0|[1-9][0-9_]*)
                     |[-+]?0x[0-9a-fA-F_]+
                     |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+""", re.X)
_STR_TAGS = {"tag:yaml.org,2002:str", "!"}
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_DISCARD = ("<discarded>",)  # pending key whose value is dropped (a key already reported)


def _plain(value: str):
    """Resolve a plain scalar exactly as PyYAML's safe loader does (YAML 1.1), but for dates.

    Dates stay text: facts use partial dates (YYYY, YYYY-MM) that a date type cannot hold, and
    one form for all of them keeps the checks and messages alike. A value the safe loader would
    refuse (`0x_`, `<<`, `=`) stays text too, for the fact-file checks to report.
    """
    first = value[:1]
    if first.isalpha() and first not in "yYnNtTfFoO":
        return value  # the common case, decided without a regex
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if first not in "-+0123456789.":
        return value
    if _FLOAT.fullmatch(value):  # tried first, as PyYAML does
        return _float(value)
    if _INT.fullmatch(value):
        return _int(value)
    return value


def _sign(text: str) -> tuple[int, str]:
    return (-1 if text[0] == "-" else 1), text[1:] if text[0] in "+-" else text


def _sexagesimal(text: str, number) -> float | int:
    """1:30 is 90, 1:00:30 is 3630: base 60, summed from the least significant part up, as
    PyYAML does (a float summed the other way can differ in its last digit: 1:10:0:0.08)."""
    total, base = number(0), 1
    for part in reversed(text.split(":")):
        total += number(part) * base
        base *= 60
    return total


def _int(value: str) -> int | str:
    sign, text = _sign(value.replace("_", ""))
    try:
        if text.startswith("0b"):
            return sign * int(text[2:], 2)
        if text.startswith("0x"):
            return sign * int(text[2:], 16)
        if text[0] == "0" and text != "0":
            return sign * int(text, 8)
    except ValueError:
        return value  # `0x_`: the safe loader fails on it; the checks say what is wrong
    return sign * (_sexagesimal(text, int) if ":" in text else int(text))


def _float(value: str) -> float:
    sign, text = _sign(value.replace("_", "").lower())
    if text == ".inf":
        return sign * float("inf")
    if text == ".nan":
        return float("nan")
    return sign * (_sexagesimal(text, float) if ":" in text else float(text))


def _build(doc: YamlDoc, events, refuse_hidden: bool = False) -> None:
    """Turn libyaml's event stream into plain values, recording every node's position.

    Building from events (not composed nodes) keeps the per-value cost small and lets an alias
    be reported where it stands; aliases are refused, so an alias bomb costs nothing.
    """
    import yaml

    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    # Identity tests and a set, not `in` a tuple of classes: a miss there compares classes
    # with ==, which costs more than the rest of handling a scalar.
    ignored = {yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent}
    document_start, max_nodes = yaml.DocumentStartEvent, MAX_NODES
    values, keys = doc.values, doc.keys
    stack: list[list] = []  # [container, path, pending key, is mapping] per open collection
    parent: list | None = None
    nodes = documents = skip = 0
    for event in events:  # hot loop: class identity tests, most frequent first
        cls = event.__class__
        if skip:  # inside a collection used as a mapping key: already reported, ignored
            skip += 1 if cls is map_start or cls is seq_start else \
                -1 if cls is map_end or cls is seq_end else 0
            continue
        if cls is not scalar:  # scalars, most events, go straight on
            if cls is map_end or cls is seq_end:
                container = stack.pop()[0]
                parent = stack[-1] if stack else None
                if parent is None:
                    doc.data = container
                continue
            if cls in ignored:
                continue
            if cls is document_start:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    doc.problems.append(((mark.line + 1, mark.column + 1), "more than one YAML "
                                         "document ('---') in the file",
                                         "keep one document per file"))
                    doc.fatal = True
                    return
                continue
        mark = event.start_mark
        pos = (mark.line + 1, mark.column + 1)
        nodes += 1
        if nodes > max_nodes:
            doc.problems.append((pos, f"more than {MAX_NODES:,} YAML nodes in one file",
                                 "split it into smaller files"))
            doc.fatal = True
            return
        if parent is not None and parent[3] and parent[2] is None:  # a mapping key
            key = event.value if cls is scalar else None
            path = parent[1] + (key,)
            if key is not None and key not in parent[0] and path not in keys:
                keys[path] = pos
                parent[2] = key
            else:
                _bad_key(doc, parent, key, pos)
                skip = int(cls is map_start or cls is seq_start)
            continue
        if parent is None:
            path = ()
        elif parent[3]:
            path = parent[1] + (parent[2],)
        else:
            path = parent[1] + (len(parent[0]),)
        values[path] = pos
        if cls is scalar:
            tag = event.tag
            if tag and tag not in _STR_TAGS:
                doc.problems.append((pos, f"unsupported YAML tag {tag}", "remove the tag"))
            # libyaml gives style '' (PyYAML None) for plain scalars: only those are resolved
            value = event.value if event.style or tag else _plain(event.value)
            if refuse_hidden and event.style == '"':  # escapes can write any character
                _refuse_escaped(doc, value, pos)
        elif cls is alias:
            doc.problems.append((pos, f"YAML alias *{event.anchor} is not allowed in fact files",
                                 "write the value out in full"))
            doc.aliases.add(path)
            value = None
        else:
            value = {} if cls is map_start else []
        if parent is None:
            doc.data = value
        elif parent[3]:
            if parent[2] is not _DISCARD:
                parent[0][parent[2]] = value
            parent[2] = None
        else:
            parent[0].append(value)
        if cls is map_start or cls is seq_start:
            tag = event.tag
            if tag and tag not in _COLLECTION_TAGS:
                doc.problems.append((pos, f"unsupported YAML tag {tag}", "remove the tag"))
            if len(stack) >= MAX_DEPTH:
                doc.problems.append((pos, f"nested more than {MAX_DEPTH} levels deep",
                                     "fact files need four levels at most"))
                doc.fatal = True
                return
            parent = [value, path, None, cls is map_start]
            stack.append(parent)


def _bad_key(doc: YamlDoc, parent: list, key, pos) -> None:
    """Report a non-scalar or repeated mapping key; its value will be dropped."""
    if key is None:
        doc.problems.append((pos, "mapping keys must be plain words",
                             "write 'key: value' with a plain word as the key"))
    else:
        first = doc.keys[parent[1] + (key,)]
        doc.problems.append((pos, f"duplicate key '{key}' (first at line {first[0]})",
                             "remove one of them"))
    parent[2] = _DISCARD


def _refuse_escaped(doc: YamlDoc, value: str, pos: Pos) -> None:
    from briefgen.characters import REFUSED_IN_VALUES, refusal

    m = REFUSED_IN_VALUES.search(value)
    if m:
        message, hint = refusal(m.group(), escaped=True)
        doc.problems.append((pos, message, hint))
