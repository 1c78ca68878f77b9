"""The patterns of wording.toml: the fields each may use, and the check that every pattern of a
language table is one briefgen can fill (a located error for each that is not).

A pattern is text with `{field}`s (docs/templates.md); nothing else of Python's format
language is allowed: no positional `{0}`, no attribute or index (`{day.__class__}`), no
conversion or format spec (`{day:>300000000}`). Each other value of the table is plain text,
where braces are just characters.
"""

from __future__ import annotations

import string

DATE = frozenset({"day", "month", "year", "month_short"})
RANGE = frozenset({"first_day", "first_month", "first", "last"})
SOURCE = frozenset({"publisher", "publisher_short", "title", "author", "date", "date_short",
                    "reliability", "reliability_meaning"})
CHANGE = frozenset({"before", "after"})
NOTES = frozenset({"note", "notes"})  # one number or a list of them, each a link
ANY = "*"  # any key of that table

# Where each pattern is in a language table, and its fields.
PATTERNS: dict[tuple, frozenset] = {
    **{(key,): DATE for key in ("date_day", "date_month", "date_year", "date_day_in_year",
                                "date_month_in_year", "date_day_short", "date_month_short",
                                "date_year_short")},
    **{(key,): RANGE for key in ("range_same_month", "range_same_year", "range")},
    ("attribution", ANY): frozenset({"who"}),
    ("labels", "page"): frozenset({"page", "pages"}),
    ("labels", "note"): frozenset({"number"}),
    ("labels", "marking_and_notice"): frozenset({"marking", "notice"}),
    ("notes", "full"): SOURCE, ("notes", "short"): SOURCE,
    ("notes", "name_with_original"): frozenset({"name", "original"}),
    ("notes", "quote"): frozenset({"quote"}), ("notes", "same"): NOTES,
    ("notes", "rests_on"): NOTES, ("notes", "rests_on_one"): NOTES,
    ("notes", "annotated"): frozenset({"fact"}),
    ("annex", "label"): frozenset({"number"}), ("annex", "heading"): SOURCE,
    ("annex", "details"): SOURCE | {"archived"}, ("annex", "url"): frozenset({"url"}),
    ("annex", "quoted_in"): NOTES, ("annex", "quoted_in_one"): NOTES,
    ("annex", "quote"): frozenset({"quote"}), ("annex", "cited_by"): frozenset({"facts"}),
    ("annex", "archive"): frozenset({"file", "sha256"}),
    ("basis", "note"): NOTES, ("basis", "notes"): NOTES,
    ("key", "likelihood"): frozenset({"yardstick"}),
    ("key", "entry"): frozenset({"code", "meaning"}),
    ("key", "kind_entry"): frozenset({"code", "meaning"}),
    ("judgments", "label"): frozenset({"likelihood", "confidence"}),
    ("judgments", "sentence"): frozenset({"likelihood", "band", "statement"}),
    ("judgments", "confidence"): frozenset({"confidence"}),
    ("judgments", "confidence_reason"): frozenset({"confidence", "rationale"}),
    ("judgments", "horizon"): frozenset({"horizon"}),
    **{("judgments", "change", key): CHANGE for key in ("raised", "lowered",
                                                        "confidence_raised", "confidence_lowered")},
    ("judgments", "key", "likelihood"): frozenset({"yardstick", "terms"}),
    ("judgments", "key", "term"): frozenset({"term", "band"}),
    ("judgments", "key", "confidence"): frozenset({"levels"}),
    ("judgments", "key", "level"): frozenset({"level", "meaning"}),
    ("yardsticks", ANY, "sentences", ANY): frozenset({"likelihood", "band", "statement"}),
}
# Values that are lists of texts; every other value under these tables is one text.
LISTS = {("months",), ("months_short",), ("judgments", "lowercase_after_that"),
         ("notes", "full"), ("notes", "short"), ("annex", "heading"), ("annex", "details")}
TEXT_TABLES = {("attribution",), ("labels",), ("notes",), ("annex",), ("basis",), ("key",),
               ("judgments",), ("judgments", "change"), ("judgments", "key"), ("reliability",),
               ("credibility",), ("kinds",), ("kind_meanings",), ("confidence",),
               ("confidence_meanings",), ("yardsticks", ANY), ("yardsticks", ANY, "terms"),
               ("yardsticks", ANY, "bands"), ("yardsticks", ANY, "sentences")}
TEXTS = {("grading_separator",)}
_PARSER = string.Formatter()


def pattern_problems(table: dict) -> list[tuple[tuple, str, str]]:
    """(where in the table, message, hint) for each value that is not what briefgen prints:
    a pattern with a field it does not have, or more than `{field}`; a number where text
    belongs."""
    found = []
    for loc, value in _leaves(table, ()):
        fields = _lookup(PATTERNS, loc)
        if _lookup(LISTS, loc) is not None:
            if not isinstance(value, list) and not (fields and isinstance(value, str)):
                found.append((loc, "must be a list of texts", 'write ["…", "…"]'))
                continue
            values = [value] if isinstance(value, str) else value
        elif fields is not None or loc in TEXTS or _lookup(TEXT_TABLES, loc[:-1]) is not None:
            values = [value]
        else:
            continue  # not a word briefgen prints from this table (typography and the like)
        for item in values:
            if not isinstance(item, str):
                shown = repr(item) if not isinstance(item, (dict, list)) else "a table"
                found.append((loc, f"must be text, not {shown}", "write it in double quotes" + (
                    ", with its fields: " + ", ".join("{" + f + "}" for f in sorted(fields))
                    if fields else "")))
            elif fields is not None:
                problem = _field_problem(item, fields)
                if problem:
                    found.append((loc, *problem))
    return found


def _field_problem(pattern: str, fields: frozenset) -> tuple[str, str] | None:
    known = ", ".join("{" + f + "}" for f in sorted(fields))
    try:
        parts = list(_PARSER.parse(pattern))
    except ValueError:
        return ("has a brace that opens or closes no field",
                f"a field is written {{name}} ({known}); write {{{{ or }}}} for a brace")
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name in fields and not spec and conversion is None:
            continue
        written = "{" + name + (f"!{conversion}" if conversion else "") + \
            (f":{spec}" if spec else "") + "}"
        if name in fields:
            return (f"{written} formats its field, which a pattern cannot do",
                    f"write the field alone, as {{{name}}}")
        bare = name.split(".")[0].split("[")[0]
        if bare in fields:
            return (f"{written} reads inside its field, which a pattern cannot do",
                    f"write the field alone, as {{{bare}}}")
        from briefgen.suggest import closest

        near = closest(name, sorted(fields))
        return (f"{written} is not a field of this pattern",
                (f"did you mean {{{near}}}? " if near else "") + f"its fields: {known}")
    return None


def _leaves(value, loc: tuple):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*loc, str(key)))
    elif loc:
        yield loc, value


def _lookup(table, loc: tuple):
    """The entry of `table` (a dict or set of key paths, ANY matching any key) for `loc`."""
    for key in table:
        if len(key) == len(loc) and all(k in (ANY, part)
                                        for k, part in zip(key, loc, strict=True)):
            return table[key] if isinstance(table, dict) else key
    return None
