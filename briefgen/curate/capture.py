"""`briefgen source add`: archive an article (URL, saved page, PDF or text) and add its entry.

The article text goes to facts/sources/<id>.txt and the capture as it came (page, PDF) beside
it, its SHA-256 in the entry, so that the extraction can be audited. The entry is appended to
the sources file as text: every existing line and comment stays as it was.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from briefgen.atomic import held_lock, write_atomically
from briefgen.curate.extraction import extract
from briefgen.curate.fetching import KINDS, MAX_BYTES, fetch, shown
from briefgen.desk import require_folder
from briefgen.errors import BriefgenError, UsageError, display_path
from briefgen.factbase.texts import archived_path

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def add(facts: Path, source: str, id: str | None = None, url: str | None = None,
        title: str | None = None, publisher: str | None = None, published: str | None = None,
        reliability: str | None = None, language: str | None = None,
        into: Path | None = None, warn=None, author: str | None = None) -> str:
    """Archive `source` (a path or an http(s) URL) and append its entry; returns the new id.
    `warn` gets the lines the curator must read: what was guessed, what was followed."""
    facts = require_folder(facts)
    into = Path(into) if into else facts / "sources.yaml"
    _check_options(facts, id, url, published, reliability, language, into)
    notes: list[str] = []
    if re.match(r"https?://", source, re.I):
        fetched = fetch(source)
        data, kind, charset = fetched.data, fetched.kind, fetched.charset
        notes += [f"followed a redirect to {shown(to)}" for to in fetched.redirects]
        url = url or fetched.url
        source = shown(source)
    else:
        (data, kind), charset = _read_capture(Path(source)), None
    article = extract(data, kind, source, charset)
    guessed = {k: v for k, v in article.guessed.items()
               if not {"title": title, "published": published, "language": language,
                       "author": author}.get(k)}
    fields = {"title": title or article.title, "publisher": publisher or article.publisher
              or (urlsplit(url).hostname if url else None), "author": author or article.author,
              "published": published or article.published, "url": url,
              "language": language or article.language, "reliability": reliability}
    missing = [(name, option) for name, option, value in (
        ("title", "--title", fields["title"]),
        ("publication date", "--published YYYY-MM-DD, YYYY-MM or YYYY", fields["published"]),
        ("publisher", "--publisher", fields["publisher"])) if not value]
    text = article.text.encode("utf-8")
    if missing:  # all of them in one run; but a text archived already needs none of them
        _refuse_archived(facts, hashlib.sha256(text).hexdigest())
        names = [f"no {name}" for name, _ in missing]
        options = [option for _, option in missing]
        raise BriefgenError(f"{source} states {_and(names)} (hint: pass {_and(options)})")
    with held_lock(facts):  # another `source add` waits: no entry is lost, no text orphaned
        new_id = _write(facts, into, id, fields, guessed, text, data, kind)
    if warn:
        warn([f"warning: {line}" for line in article.notes + notes] +
             [f"warning: {_NAMES[key]} guessed from {how}: {fields[key]} (check it: the entry "
              "says so in a comment)" for key, how in guessed.items()])
    return new_id


_NAMES = {"title": "title", "author": "author", "published": "publication date",
          "language": "language"}


def _write(facts: Path, into: Path, id: str | None, fields: dict, guessed: dict, text: bytes,
           data: bytes, kind: str) -> str:
    """The archived text, the capture and the entry, all of them or none; the new id."""

    known = _refuse_archived(facts, hashlib.sha256(text).hexdigest())
    new_id = id or _free_id(_slug(fields["title"], fields["published"]), known, facts)
    if new_id in known:
        raise BriefgenError(f"source id '{new_id}' already exists (hint: choose another --id)")
    text_file = f"sources/{new_id}.txt"
    capture_file = f"sources/{new_id}.{kind}" if kind != "txt" else None
    for file in filter(None, (text_file, capture_file)):
        if (facts / file).exists():
            raise BriefgenError(f"{display_path(facts / file)} already exists; nothing written "
                                "(hint: choose another --id)")
    archived = date.today().isoformat()  # the day this copy is made: the annex says it
    _validate(new_id, {**fields, "archived": archived}, text_file)
    before, at, indent = _insertion(into)  # refuses a file it cannot append to
    entry = _entry(new_id, fields, guessed, text_file, hashlib.sha256(data).hexdigest(),
                   capture_file, indent, archived)
    files = {facts / text_file: text, into: (before[:at] + entry + before[at:]).encode("utf-8")}
    if capture_file:
        files[facts / capture_file] = data
    write_atomically(files)
    return new_id


def _refuse_archived(facts: Path, sha: str) -> dict:
    """The desk's sources, unless one of them archives the text of SHA-256 `sha` already."""
    from briefgen.factbase.base import load_sources

    known, _ = load_sources(facts)
    for sid, entry in known.items():
        target, _ = archived_path(facts.resolve(), entry.file)
        try:
            same = target is not None and hashlib.sha256(target.read_bytes()).hexdigest() == sha
        except OSError:
            continue
        if same:
            raise BriefgenError(f"the same text is already archived as source '{sid}' "
                                f"({entry.file}); nothing written")
    return known


def _validate(new_id: str, fields: dict, file: str) -> None:
    """The entry as `check` will read it: a value it would refuse is refused here, before
    anything is written."""
    from pydantic import ValidationError

    from briefgen.factbase.models import Source

    entry = {"id": new_id, "file": file, **{k: v for k, v in fields.items() if v is not None}}
    try:
        Source.model_validate(entry)
    except ValidationError as e:
        problem = e.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise BriefgenError(f"the new entry's {where} would not pass briefgen check: "
                            f"{problem['msg']}; nothing written (hint: pass --{where} with "
                            "the right value)") from None


def _read_capture(path: Path) -> tuple[bytes, str]:
    kind = KINDS.get(path.suffix.lower())
    if not path.exists():
        raise BriefgenError(f"{path} not found (hint: check the path, or give the page's "
                            "address: briefgen source add https://...)")
    if not path.is_file():
        raise BriefgenError(f"{path} is not a file")
    if kind is None:
        raise BriefgenError(f"{path}: cannot archive '{path.suffix or 'no extension'}' files "
                            "(hint: save the article as .html, .pdf or .txt)")
    if path.stat().st_size > MAX_BYTES:
        raise BriefgenError(f"{path} is larger than {MAX_BYTES // 1_000_000} MB")
    return path.read_bytes(), kind


def _check_options(facts, id, url, published, reliability, language, into: Path) -> None:
    from briefgen.factbase.models import LANGUAGE_PATTERN, PartialDate

    if id is not None and not SLUG.match(id):
        raise UsageError(f"--id '{id}' is not a slug (hint: lowercase letters, digits and "
                         "single hyphens, e.g. 'wire-2019-12')")
    if url is not None and not re.match(r"https?://[^\s/]+", url):
        raise UsageError(f"--url '{url}' is not an http(s) URL (hint: give the article's "
                         "http:// or https:// address)")
    if published is not None:
        try:
            PartialDate.parse(published)
        except ValueError as e:
            raise UsageError(f"--published: {e} (hint: write YYYY-MM-DD, YYYY-MM or YYYY, "
                             "e.g. 2019-12-11)") from None
    if reliability is not None and reliability not in tuple("ABCDEF"):
        raise UsageError(f"--reliability '{reliability}' is not on the A-F scale (hint: A is "
                         "reliable, E unreliable; F means it cannot be judged)")
    if language is not None and not re.match(LANGUAGE_PATTERN, language):
        raise UsageError(f"--language '{language}' is not a language tag like 'en' or 'ar'")
    if into.suffix != ".yaml" or not into.resolve().is_relative_to(facts.resolve()):
        raise UsageError(f"--into {into}: must be a .yaml file inside {display_path(facts)}")


def _insertion(path: Path) -> tuple[str, int, int]:
    """The sources file's text (with a `sources:` list added at its end if it has none), where
    the new entry goes in it (after the last source, before whatever comes next and the
    comments leading up to it), and the indentation of its list items."""
    import yaml

    if not path.exists():
        return "sources:\n", len("sources:\n"), 2
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    text = _without_document_end(text, path)
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        raise BriefgenError(f"{display_path(path)} is not valid YAML (hint: run briefgen "
                            "check); nothing written") from None
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise BriefgenError(f"{display_path(path)} is not a fact file; nothing written")
    keys = [k.value for k, _ in root.value] if root is not None else []
    if "sources" not in keys:
        text += ("\n" if text else "") + "sources:\n"
        return text, len(text), 2
    index = keys.index("sources")
    value = root.value[index][1]
    if not isinstance(value, yaml.SequenceNode) or value.flow_style:
        raise BriefgenError(f"{display_path(path)}: 'sources' is not a block list; nothing "
                            "written (hint: pass --into another file)")
    lines = text.splitlines(keepends=True)
    indent = 2
    if value.value:  # the dash of the first item: its content's column less "- "
        first = value.value[0].start_mark
        indent = lines[first.line].index("-") if "-" in lines[first.line][:first.column] \
            else max(first.column - 2, 0)
    if index + 1 == len(keys):
        return text, len(text), indent
    line = root.value[index + 1][0].start_mark.line  # the next top-level key
    while line > 0 and (not lines[line - 1].strip() or lines[line - 1].lstrip().startswith("#")):
        line -= 1
    return text, sum(len(x) for x in lines[:line]), indent


def _without_document_end(text: str, path: Path) -> str:
    """The text without a closing `...` (YAML's document end marker) and what follows it, if
    that is only comments and blank lines: an entry appended past it would not be read. A
    file of several documents is not one fact file."""
    lines = text.splitlines(keepends=True)
    for n, line in enumerate(lines):
        if line.rstrip() == "..." or line.startswith("... "):
            if any(x.strip() and not x.lstrip().startswith("#") for x in lines[n + 1:]):
                raise BriefgenError(f"{display_path(path)} holds more than one YAML document; "
                                    "nothing written (hint: pass --into another file)")
            return "".join(lines[:n]) + "".join(lines[n + 1:])
    return text


def _entry(sid: str, fields: dict, guessed: dict, file: str, capture_sha: str,
           capture: str | None, indent: int = 2, archived: str = "") -> str:
    """The entry's lines; a field that was guessed says so in a comment on its line."""
    from briefgen.curate.quotefinder import yaml_quoted as q

    def line(key: str, value: str) -> str:
        how = guessed.get(key)
        return f"  {key}: {value}" + (f"  # guessed from {how}: check it" if how else "")

    out = [f"- id: {sid}", line("title", q(fields["title"])),
           line("publisher", q(fields["publisher"]))]
    out.append(line("author", q(fields["author"])) if fields["author"] else
               "  # author:  (not stated)")
    out.append(line("published", fields["published"]))
    out.append(f"  url: {q(fields['url'])}" if fields["url"] else "  # url:  (not known)")
    out.append(f"  file: {file}")
    where = f"of {capture}, the capture as saved" if capture else "of the text as saved"
    out.append(f"  capture_sha256: {capture_sha}  # {where}")
    out.append(f"  archived: {archived}")
    out.append(line("language", fields["language"]) if fields["language"] else
               "  # language: en  (the default; set the article's language if not English)")
    out.append(f"  reliability: {fields['reliability']}" if fields["reliability"] else
               "  # reliability: F  (not graded yet: A-F)")
    return "\n" + "".join(" " * indent + x + "\n" for x in out)


# not at the end of an id cut from a title, so that it does not end "...-dam-on-the-2024-03"
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the",
                "to", "with"}


def _slug(title: str, published: str) -> str:
    import unicodedata

    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_)[:6]
    while len(words) > 1 and words[-1] in _SMALL_WORDS:
        words.pop()
    return "-".join((words or ["source"]) + published.split("-")[:2])


def _and(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _free_id(base: str, known: dict, facts: Path) -> str:
    candidate, n = base, 1
    while candidate in known or (facts / "sources" / f"{candidate}.txt").exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate
