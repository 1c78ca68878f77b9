"""`briefgen source add`: archive an article (URL, saved page, PDF or text) and add its entry.

The article text goes to facts/sources/<id>.txt and the capture as it came (page, PDF) beside
it, its SHA-256 in the entry, so that the extraction can be audited. The entry is appended to
the sources file as text: every existing line and comment stays as it was.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from briefgen.atomic import write_atomically
from briefgen.desk import require_folder
from briefgen.errors import BriefgenError, UsageError, display_path
from briefgen.factbase.texts import archived_path

TIMEOUT = 20.0  # seconds to fetch a URL
MAX_BYTES = 20_000_000  # largest capture fetched or read
MIN_WORDS = 8  # fewer words of article text: there is no article
KINDS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".txt": "txt"}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class Article:
    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    publisher: str | None = None


def add(facts: Path, source: str, id: str | None = None, url: str | None = None,
        title: str | None = None, publisher: str | None = None, published: str | None = None,
        reliability: str | None = None, language: str | None = None,
        into: Path | None = None) -> str:
    """Archive `source` (a path or an http(s) URL) and append its entry; returns the new id."""
    from briefgen.factbase.base import load_sources

    facts = require_folder(facts)
    into = Path(into) if into else facts / "sources.yaml"
    _check_options(facts, id, url, published, reliability, language, into)
    if re.match(r"https?://", source, re.I):
        data, kind = fetch(source)
        url = url or source
    else:
        data, kind = _read_capture(Path(source))
    article = extract(data, kind, source)
    text = article.text.encode("utf-8")
    sha = hashlib.sha256(text).hexdigest()
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
    title = title or article.title
    published = published or article.published
    publisher = publisher or article.publisher or (urlsplit(url).hostname if url else None)
    missing = [(name, option) for name, option, value in (
        ("title", "--title", title),
        ("publication date", "--published YYYY-MM-DD, YYYY-MM or YYYY", published),
        ("publisher", "--publisher", publisher)) if not value]
    if missing:  # all of them in one run
        names = [f"no {name}" for name, _ in missing]
        options = [option for _, option in missing]
        raise BriefgenError(f"{source} states {_and(names)} (hint: pass {_and(options)})")
    new_id = id or _free_id(_slug(title, published), known, facts)
    if new_id in known:
        raise BriefgenError(f"source id '{new_id}' already exists (hint: choose another --id)")
    text_file = f"sources/{new_id}.txt"
    capture_file = f"sources/{new_id}.{kind}" if kind != "txt" else None
    for file in filter(None, (text_file, capture_file)):
        if (facts / file).exists():
            raise BriefgenError(f"{display_path(facts / file)} already exists; nothing written "
                                "(hint: choose another --id)")
    before, at, indent = _insertion(into)  # refuses a file it cannot append to
    archived = date.today().isoformat()  # the day this copy is made: the annex says it
    entry = _entry(new_id, title, publisher, article.author, published, url, text_file,
                   hashlib.sha256(data).hexdigest(), capture_file, language, reliability, indent,
                   archived)
    files = {facts / text_file: text, into: (before[:at] + entry + before[at:]).encode("utf-8")}
    if capture_file:
        files[facts / capture_file] = data
    write_atomically(files)  # the text, the capture and the entry: all of them or none
    return new_id


FETCH_HINT = (" (hint: check the address, or save the page from your browser and give the "
              "saved file)")


def fetch(url: str) -> tuple[bytes, str]:
    """The bytes at an http(s) URL (bounded in time and size) and what kind of capture."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "briefgen (source add)"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            data = response.read(MAX_BYTES + 1)
            ctype = response.headers.get_content_type()
    except urllib.error.HTTPError as e:
        raise BriefgenError(f"could not fetch {url}: HTTP {e.code} {e.reason}"
                            + FETCH_HINT) from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        raise BriefgenError(f"could not fetch {url}: {reason}{FETCH_HINT}") from None
    if len(data) > MAX_BYTES:
        raise BriefgenError(f"{url} is larger than {MAX_BYTES // 1_000_000} MB; nothing written")
    kind = "html" if "html" in ctype else "pdf" if "pdf" in ctype else \
        "txt" if ctype == "text/plain" else KINDS.get(Path(url.split("?")[0]).suffix.lower())
    if kind is None:
        raise BriefgenError(f"{url} is {ctype}, not a web page, PDF or text")
    return data, kind


def extract(data: bytes, kind: str, name: str) -> Article:
    """The article text and what the capture states about it."""
    if kind == "pdf":
        article = _pdf(data, name)
    elif b"\x00" in data[:8192]:
        raise BriefgenError(f"{name} is a binary file, not a {kind} capture; nothing written")
    elif kind == "html":
        article = _html(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise BriefgenError(f"{name} is not UTF-8 text ({e.reason} at byte {e.start}); "
                                "nothing written") from None
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        article = Article(text, title=first if len(first) <= 200 else None)
    lines = [" ".join(line.split()) for line in article.text.replace("\r\n", "\n").split("\n")]
    article.text = "\n".join(lines).strip() + "\n"
    if len(article.text.split()) < MIN_WORDS:
        raise BriefgenError(f"{name} has no article text to archive (only page furniture such "
                            "as menus and links?); nothing written")
    return article


def _html(data: bytes) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(data, with_metadata=True, favor_precision=True,
                                      include_comments=False)
    if doc is None or not doc.text:
        return Article("")
    # One blank line between paragraphs, as archived texts have them.
    return Article(doc.text.replace("\n", "\n\n"), title=doc.title, author=doc.author,
                   published=doc.date, publisher=doc.sitename)


def _pdf(data: bytes, name: str) -> Article:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        raise BriefgenError(f"{name} is not a PDF; nothing written")
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
        info = reader.metadata or {}
        made = info.get("/CreationDate")
    except (PyPdfError, ValueError, KeyError) as e:
        raise BriefgenError(f"{name}: cannot read the PDF ({e}); nothing written") from None
    day = re.match(r"D:(\d{4})(\d{2})(\d{2})", str(made or ""))
    return Article(text, title=_meta(info, "/Title"), author=_meta(info, "/Author"),
                   published="-".join(day.groups()) if day else None)


def _meta(info, key: str) -> str | None:
    value = info.get(key)
    return " ".join(str(value).split()) or None if value else None


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


def _entry(sid, title, publisher, author, published, url, file, capture_sha, capture, language,
           reliability, indent: int = 2, archived: str = "") -> str:
    from briefgen.curate.quotefinder import yaml_quoted as q

    out = [f"- id: {sid}", f"  title: {q(title)}", f"  publisher: {q(publisher)}"]
    out.append(f"  author: {q(author)}" if author else "  # author:  (not stated)")
    out.append(f"  published: {published}")
    out.append(f"  url: {q(url)}" if url else "  # url:  (not known)")
    out.append(f"  file: {file}")
    where = f"of {capture}, the capture as saved" if capture else "of the text as saved"
    out.append(f"  capture_sha256: {capture_sha}  # {where}")
    out.append(f"  archived: {archived}")
    out.append(f"  language: {language}" if language else
               "  # language: en  (the default; set the article's language if not English)")
    out.append(f"  reliability: {reliability}" if reliability else
               "  # reliability: F  (not graded yet: A-F)")
    return "\n" + "".join(" " * indent + line + "\n" for line in out)


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
