"""The desk's reference library: rename and remove sources, and export them as CSL-JSON.

A rename edits the scalars that name the source (its `id`, every citation's `source`, its
`file` when that is named after the id) in place: every other line and comment stays as it
was. Fact files and archived texts change all together or not at all.
"""

from __future__ import annotations

from pathlib import Path

from briefgen.atomic import held_lock, write_atomically
from briefgen.desk import require_folder
from briefgen.errors import BriefgenError, UsageError, display_path
from briefgen.factbase.models import SLUG_PATTERN

CAPTURES = (".html", ".htm", ".pdf")  # the capture `source add` keeps beside a text


def rename(facts: Path, old: str, new: str) -> list[Path]:
    """Rename source `old` to `new` everywhere; the files changed, fact files first."""
    import re

    facts = require_folder(facts)
    if not re.match(SLUG_PATTERN, new):
        raise UsageError(f"'{new}' is not a slug (hint: lowercase letters, digits and single "
                         "hyphens, e.g. 'wagner-mali-2024-01')")
    with held_lock(facts):
        base = _readable_base(facts)
        source = _known(base, old)
        if new in base.sources:
            raise BriefgenError(f"source id '{new}' already exists (hint: choose another id)")
        moves = _archived_moves(facts, source.file, old, new)
        files: dict[Path, bytes] = {}
        for path in _fact_files(facts):
            text = path.read_text(encoding="utf-8")
            edited = _replace_scalars(text, old, new, {a: b for a, b in moves.items()
                                                       if a == source.file})
            if edited != text:
                files[path] = edited.encode("utf-8")
        for old_file, new_file in moves.items():
            if (facts / new_file).exists():
                raise BriefgenError(f"{display_path(facts / new_file)} already exists; nothing "
                                    "changed (hint: choose another id)")
            files[facts / new_file] = (facts / old_file).read_bytes()
        write_atomically(files)  # every fact file and the renamed copies, or none of them
        for old_file in moves:
            (facts / old_file).unlink()
    return list(files)


def remove(facts: Path, sid: str) -> list[Path]:
    """Remove an uncited source's entry and its archived files; the files removed or changed.
    Refused, naming the facts, while any fact cites it."""
    facts = require_folder(facts)
    with held_lock(facts):
        base = _readable_base(facts)
        source = _known(base, sid)
        citing = [fid for fid, fact in base.facts.items()
                  if any(c.source == sid for c in fact.citations)]
        if citing:
            where = [f"{fid} ({base.where[('facts', fid)].path}:"
                     f"{base.where[('facts', fid)].line})" for fid in citing]
            raise BriefgenError(f"source '{sid}' is cited by {len(citing)} fact"
                                f"{'s' * (len(citing) != 1)}: {', '.join(where)}; nothing "
                                "removed (hint: cite another source in them, or retract them)")
        loc = base.where[("sources", sid)]
        path = Path(loc.path)
        text = path.read_text(encoding="utf-8")
        edited = _without_item(text, "sources", sid)
        others = {s.file for other, s in base.sources.items() if other != sid}
        archived = [f for f in _archived_moves(facts, source.file, sid, sid) if f not in others]
        write_atomically({path: edited.encode("utf-8")})
        for file in archived:
            (facts / file).unlink(missing_ok=True)
    return [path] + [facts / f for f in archived]


def csl_json(base) -> list[dict]:
    """The desk's sources as CSL-JSON items (what Zotero imports), in file order."""
    items = []
    for sid, s in base.sources.items():
        parts = [p for p in (s.published.year, s.published.month, s.published.day) if p]
        item = {"id": sid, "type": "article-newspaper" if s.url else "document",
                "title": s.title, "publisher": s.publisher, "container-title": s.publisher,
                "issued": {"date-parts": [parts]}, "language": s.language,
                "note": f"briefgen: reliability {s.reliability}; archived text {s.file}"}
        if s.author:
            item["author"] = [_csl_name(name) for name in s.author.split("; ")]
        if s.url:
            item["URL"] = s.url
        items.append(item)
    return items


def _csl_name(name: str) -> dict:
    words = name.split()
    if len(words) in (2, 3) and all(w[:1].isupper() for w in words):
        return {"family": words[-1], "given": " ".join(words[:-1])}
    return {"literal": name}  # an organisation, or a name whose parts cannot be told apart


def _readable_base(facts: Path):
    """The fact base, refused if a fact file cannot be read: a citation in it would be missed."""
    from briefgen.factbase.base import load_factbase

    import yaml

    base = load_factbase(facts)
    unread = [f"{d.path} ({d.message})" for d in base.errors if d.message.startswith("not read")]
    for path in _fact_files(facts):
        try:
            _nodes(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            unread.append(display_path(path))
    if unread:
        raise BriefgenError(f"{unread[0]} cannot be read; nothing changed (hint: run briefgen "
                            "check and fix it first)")
    return base


def _known(base, sid: str):
    from briefgen.suggest import did_you_mean

    if sid not in base.sources:
        hint = did_you_mean(sid, base.sources, "briefgen list sources shows them")
        raise BriefgenError(f"unknown source '{sid}' (hint: {hint})")
    return base.sources[sid]


def _fact_files(facts: Path) -> list[Path]:
    from briefgen.factbase.base import fact_files

    return fact_files(facts)


def _archived_moves(facts: Path, file: str, old: str, new: str) -> dict[str, str]:
    """The archived text and its capture, old name -> new name, when named after the id."""
    text = Path(file)
    if text.stem != old or not (facts / file).is_file():
        return {}
    moves = {file: str(text.with_name(new + text.suffix))}
    for suffix in CAPTURES:
        capture = text.with_suffix(suffix)
        if (facts / capture).is_file():
            moves[str(capture)] = str(capture.with_name(new + suffix))
    return moves


def _nodes(text: str):
    import yaml

    return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _items(root, key: str):
    for k, v in getattr(root, "value", []) or []:
        if k.value == key and hasattr(v, "value") and isinstance(v.value, list):
            yield from (item for item in v.value if isinstance(item.value, list))


def _field(item, key: str):
    return next((v for k, v in item.value if k.value == key), None)


def _replace_scalars(text: str, old: str, new: str, files: dict[str, str]) -> str:
    """`text` with the source's id, every citation of it and its file name replaced."""
    root = _nodes(text)
    spans = []
    for item in _items(root, "sources"):
        node = _field(item, "id")
        if node is not None and node.value == old:
            spans.append((node, new))
            file = _field(item, "file")
            if file is not None and file.value in files:
                spans.append((file, files[file.value]))
    for item in _items(root, "facts"):
        for citation in (c for k, v in item.value if k.value == "citations"
                         and isinstance(v.value, list) for c in v.value):
            node = _field(citation, "source") if isinstance(citation.value, list) else None
            if node is not None and node.value == old:
                spans.append((node, new))
    for node, value in sorted(spans, key=lambda s: -s[0].start_mark.index):
        quoted = 1 if node.style in ('"', "'") else 0  # the quotes stay as they were
        text = (text[:node.start_mark.index + quoted] + value
                + text[node.end_mark.index - quoted:])
    return text


def _without_item(text: str, key: str, sid: str) -> str:
    """`text` without the list item whose id is `sid` (its lines, and the blank lines and
    comments just above it that belong to it)."""
    root = _nodes(text)
    items = list(_items(root, key))
    for n, item in enumerate(items):
        if _field(item, "id") is not None and _field(item, "id").value == sid:
            lines = text.splitlines(keepends=True)
            first = item.start_mark.line
            dash = max(item.start_mark.column - 2, 0)
            last = items[n + 1].start_mark.line if n + 1 < len(items) else item.end_mark.line
            if item.end_mark.column > 0 and n + 1 == len(items):
                last += 1
            while last > first and (not lines[last - 1].strip() or (
                    lines[last - 1].lstrip().startswith("#")
                    and len(lines[last - 1]) - len(lines[last - 1].lstrip()) <= dash)):
                last -= 1  # what follows the item (blank lines, the next one's comments) stays
            while first > 0 and not lines[first - 1].strip():
                first -= 1  # the blank lines that set it apart go with it
            if len(items) == 1:  # the list is left empty: say so, or it would read as null
                line = next(k for k, _ in root.value if k.value == key).start_mark.line
                lines[line] = lines[line].rstrip("\n").rstrip() + " []\n"
            return "".join(lines[:first] + lines[last:])
    return text
