"""The library behind each command: a few lines each over the desk and the pipeline.

Parameters are named as the command line's options; nothing here prints: results come back,
warnings go to the `warn` callback, failures are BriefgenError.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.desk import Desk

if TYPE_CHECKING:
    from briefgen.factbase.base import FactBase


def check(facts: Path | None = None, strict: bool = False, templates: Path | None = None,
          readers: Path | None = None) -> FactBase:
    """The desk's fact base, checked with its settings, templates and readers file (the
    desk's readers.yaml when there is one, or `readers`); DiagnosticsError lists every problem."""
    from briefgen import pipeline

    desk = Desk.find(facts, templates=templates, readers=readers)
    return pipeline.load(desk, strict=strict, templates=True,
                         readers=readers is not None or desk.readers.is_file())


def build(facts: Path | None = None, templates: Path | None = None,
          theme: list[str] | None = None, format: tuple = ("docx", "pdf"),
          out: Path | None = None, annotated: bool = False, strict: bool = False,
          warn=None, cutoff=None) -> list[Path]:
    """One brief per theme (default: every theme); returns the brief files written.

    `annotated` builds the desk's review edition instead of the readers'; `warn`, if given, is
    called with the lines to show for the fact base's warnings; `cutoff` (a date): only what
    was known by that day, which the briefs state as their information cut-off.
    """
    from briefgen import pipeline

    desk = Desk.find(facts, templates=templates, out=out)
    desk.check_out()
    with pipeline.Pipeline(desk, format, ("theme.md.j2",)) as make:
        base = pipeline.load(desk, strict=strict, cutoff=cutoff)
        specs = pipeline.theme_briefs(desk, base, theme, annotated, cutoff=cutoff)
        _warn(warn, pipeline.warning_lines(base))
        return _written(warn, desk, make.make(base, specs, last=True), format)


def weekly(facts: Path | None = None, templates: Path | None = None, week: str | None = None,
           format: tuple = ("docx", "pdf"), out: Path | None = None, annotated: bool = False,
           strict: bool = False, warn=None, from_=None, to=None, cutoff=None) -> list[Path]:
    """The weekly brief for an ISO week (default: the current week), or for the days
    `from_` to `to` (dates, both included); `annotated`, `warn` and `cutoff` as in build.

    A week with no development is a warning (an error with `strict`): the brief is built.
    """
    from briefgen import pipeline
    from briefgen.errors import BuildError

    pipeline.check_period(week, from_, to)  # usage errors before any work
    desk = Desk.find(facts, templates=templates, out=out)
    desk.check_out()
    with pipeline.Pipeline(desk, format, ("weekly.md.j2",)) as make:
        base = pipeline.load(desk, strict=strict, cutoff=cutoff)
        spec = pipeline.weekly_brief(base, week, from_, to, annotated=annotated, cutoff=cutoff)
        empty = [] if pipeline.developments(spec) else [pipeline.empty_week(spec)]
        if empty and strict:
            raise BuildError(empty[0] + " (--strict makes this an error)")
        _warn(warn, pipeline.warning_lines(base, empty))
        return _written(warn, desk, make.make(base, [spec], last=True), format)


def send(facts: Path | None = None, templates: Path | None = None, week: str = "",
         readers: Path | None = None, dry_run: bool = False, out: Path | None = None,
         format: tuple = ("pdf",), resend_changed: bool = False, retry_unknown: bool = False,
         strict: bool = False, allow_empty: bool = False, warn=None, progress=None):
    """Email each reader the weekly brief of the themes they follow; returns the SendReport
    (see briefgen.distribution.send; `report.raise_for_problems()` says if anyone was missed).

    A week with no development is refused (readers must not get an empty brief by accident)
    unless `allow_empty`.
    """
    from briefgen import pipeline
    from briefgen.compose.specs import parse_week
    from briefgen.distribution.send import run
    from briefgen.errors import BriefgenError

    parse_week(week)  # a week that does not exist is a usage error before anything else
    desk = Desk.find(facts, templates=templates, out=out, readers=readers)
    desk.check_out()
    base = pipeline.load(desk, strict=strict)
    spec = pipeline.weekly_brief(base, week)
    if not pipeline.developments(spec) and not allow_empty:
        raise BriefgenError(f"{pipeline.empty_week(spec)}; nothing sent (hint: pass "
                            "--allow-empty to send it anyway)")
    _warn(warn, pipeline.warning_lines(base))
    return run(desk, base, week, dry_run=dry_run, format=format,
               resend_changed=resend_changed, retry_unknown=retry_unknown,
               allow_empty=allow_empty, progress=progress)


def watch(facts: Path | None = None, templates: Path | None = None,
          theme: list[str] | None = None, week: str | None = None, out: Path | None = None,
          format: tuple = ("docx", "pdf"), report=None, stop_event=None, serve: bool = False,
          port: int | None = None) -> None:
    """Build the chosen briefs, then again on every save; see briefgen.curate.watch. `serve`:
    the HTML briefs on 127.0.0.1:`port` as well, reloaded on each rebuild (curate.serve)."""
    from briefgen.curate.watch import watch as watch_loop

    if port is not None and not serve:
        from briefgen.errors import UsageError
        raise UsageError("--port goes with --serve (the port the HTML briefs are served on)")
    desk = Desk.find(facts, templates=templates, out=out)
    desk.check_out()
    report = report or (lambda kind, lines: None)
    if not serve:
        return watch_loop(desk, theme, week, format, report, stop_event=stop_event)
    from briefgen.curate.serve import Preview

    with Preview(desk.out, port) as preview:
        report("status", [f"serving the HTML briefs at {preview.url}"])
        watch_loop(desk, theme, week, tuple(dict.fromkeys((*format, "html"))),
                   preview.report(report), stop_event=stop_event)


def ledger(facts: Path | None = None, out: Path | None = None, week: str | None = None,
           reader: str | None = None):
    """The send ledger's rows (of a week, of a reader) and the ledger's path. A desk that has
    sent nothing yet has no ledger: no rows; anywhere else no ledger is an error (in the wrong
    folder, "nothing recorded" would read as "nothing was sent")."""
    from briefgen.distribution.ledger import Ledger
    from briefgen.distribution.ledger_view import read

    desk = Desk.find(facts, out=out)
    path = desk.out / "ledger.sqlite"
    if out is None and desk.is_desk() and not Ledger.exists(path):
        return [], path
    return read(desk.out, week, reader)


def ledger_save(facts: Path | None = None, out: Path | None = None, week: str | None = None,
                reader: str = "", save: Path = Path(".")) -> list[Path]:
    """The files `reader` received (of `week`), from the archive into the folder `save`,
    under the names they were attached with; returns the paths written."""
    from briefgen.distribution.archive import save as save_files
    from briefgen.distribution.ledger import Ledger
    from briefgen.distribution.ledger_view import read

    desk_out = Desk.find(facts, out=out).out
    rows, path = read(desk_out, week, reader)
    received = [r.message_id for r in sorted(rows, key=lambda r: r.sent_seq or 0)
                if r.status == "sent"]
    with Ledger.open(path, readonly=True) as book:
        files = book.attachments(received)
    order = {m: n for n, m in enumerate(received)}
    files.sort(key=lambda a: (order[a.message_id], a.position))
    return save_files(desk_out, files, save)


def ledger_verify(facts: Path | None = None, out: Path | None = None) -> int:
    """Check every archived file against the ledger; returns how many were checked, or raises
    ArchiveDamaged naming each missing or altered one."""
    from briefgen.distribution.archive import ArchiveDamaged, verify
    from briefgen.distribution.ledger import Ledger
    from briefgen.distribution.ledger_view import read

    desk_out = Desk.find(facts, out=out).out
    rows, path = read(desk_out)
    with Ledger.open(path, readonly=True) as book:
        checked, problems = verify(desk_out, book.attachments(), rows)
    if problems:
        raise ArchiveDamaged(problems, checked)
    return checked


def impact(facts: Path | None = None, id: str = "", out: Path | None = None):
    """Everything resting on a source, fact or judgment, down to the readers who got it."""
    from briefgen.provenance.impact import impact as walk

    desk = Desk.find(facts, out=out)
    return walk(desk, id)


def list_items(facts: Path | None = None, what: str = "facts", theme: list[str] | None = None,
               week: str | None = None, warn=None, format: str = "table") -> list[dict]:
    """The themes, sources or facts of the base (those of `theme` / dated in `week`), as rows;
    with `format` "csl-json", the sources as CSL JSON items (for Zotero).

    A base with errors is listed as far as it is valid; `warn` gets a one-line count.
    """
    from briefgen import pipeline
    from briefgen.curate.listing import rows
    from briefgen.factbase.base import load_factbase

    desk = Desk.find(facts)
    base = load_factbase(desk.require_facts(), settings_file=desk.settings_file)
    pipeline.check_themes(base, theme)
    if base.errors:
        _warn(warn, [f"{base.summary()} (run briefgen check for details)"])
    if format == "csl-json":
        from briefgen.curate.library import csl_json
        from briefgen.errors import UsageError

        if what != "sources":
            raise UsageError("--format csl-json lists sources only (hint: briefgen list "
                             "sources --format csl-json)")
        listed = {row["id"] for row in rows(base, "sources", theme or None, week)}
        return [item for item in csl_json(base) if item["id"] in listed]
    return rows(base, what, theme or None, week)


def quote(facts: Path | None = None, words: str = "", source: str | None = None,
          any: bool = False) -> str:
    """The passages of `source` (or, with `any`, of every source) closest to `words`, best
    first, as ready-to-paste YAML citations separated by blank lines."""
    from briefgen.curate.quotefinder import find, yaml_block
    from briefgen.errors import UsageError

    if any == (source is not None):
        raise UsageError("give a source id or --any, not both" if any else
                         "give a source id, or --any to search every source")
    from briefgen.factbase.settings import read_settings

    desk = Desk.find(facts)
    settings, _ = read_settings(desk.settings_file)
    language = settings.desk.language if settings is not None else "en"
    return "\n".join(yaml_block(p, language) for p in find(desk.require_facts(), words, source))


def source_add(facts: Path | None = None, source: str = "", id: str | None = None,
               url: str | None = None, title: str | None = None, publisher: str | None = None,
               published: str | None = None, reliability: str | None = None,
               language: str | None = None, into: Path | None = None, warn=None,
               author: str | None = None) -> str:
    """Archive an article (path or URL) under facts/sources/ and append its entry; the new id.
    `warn` gets what the curator must check: guessed fields, redirects followed."""
    from briefgen.curate.capture import add

    desk = Desk.find(facts)
    return add(desk.require_facts(), source, id=id, url=url, title=title, publisher=publisher,
               published=published, reliability=reliability, language=language, into=into,
               warn=warn, author=author)


def source_rename(facts: Path | None = None, old: str = "", new: str = "") -> list[Path]:
    """Rename a source in every fact file that names it, and its archived files; the files
    changed."""
    from briefgen.curate.library import rename

    return rename(Desk.find(facts).require_facts(), old, new)


def source_remove(facts: Path | None = None, id: str = "") -> list[Path]:
    """Remove a source no fact cites, and its archived files; the files changed or removed."""
    from briefgen.curate.library import remove

    return remove(Desk.find(facts).require_facts(), id)


def source_import(facts: Path | None = None, export: Path = Path(), into: Path | None = None,
                  warn=None) -> list[str]:
    """Add the references of a Zotero export (CSL JSON, RIS, BibTeX) that point to a saved
    copy; the new ids. `warn` gets what was skipped or guessed."""
    from briefgen.curate.zotero import import_references

    return import_references(Desk.find(facts).require_facts(), export, into=into, warn=warn)


def schema() -> str:
    """The JSON Schema of fact files (draft 2020-12), as text."""
    from briefgen.factbase.models import json_schema

    return json_schema()


def init(dir: Path = Path("."), region: str | None = None, force: bool = False) -> list[Path]:
    """A new desk folder that checks and builds right away; see briefgen.init."""
    from briefgen.init import DEFAULT_REGION, init as init_desk

    return init_desk(dir=dir, region=region or DEFAULT_REGION, force=force)


def docs(page: str | None = None) -> str:
    """A page of the user documentation, as Markdown: the index without `page`."""
    from briefgen import resources
    from briefgen.errors import UsageError
    from briefgen.suggest import did_you_mean

    folder = resources.docs_dir()
    pages = sorted(p.stem for p in folder.glob("*.md"))
    name = "index" if page is None else page.removesuffix(".md")
    if name not in pages:
        hint = did_you_mean(name, pages, "run `briefgen docs` for the index")
        raise UsageError(f"no documentation page '{page}' (pages: {', '.join(pages)}) "
                         f"(hint: {hint})")
    return (folder / f"{name}.md").read_text(encoding="utf-8")


def _written(warn, desk: Desk, paths: list[Path], formats: tuple) -> list[Path]:
    """`paths`, after a warning for each file of the same briefs in another format that this
    build left as it was: an older edition beside the new one."""
    from briefgen.desk import FORMATS
    from briefgen.errors import display_path

    stale = [p.with_suffix(f".{fmt}") for p in dict.fromkeys(p.with_suffix("") for p in paths)
             for fmt in FORMATS if fmt not in formats and p.with_suffix(f".{fmt}").is_file()]
    kinds = ",".join(dict.fromkeys(p.suffix[1:] for p in stale))
    hint = f"(hint: delete {'it' if len(stale) == 1 else 'them'}, or add {kinds} to --format)"
    if len(stale) > 3:  # a whole build's worth: one line
        _warn(warn, [f"warning: {len(stale)} files beside these briefs are from an earlier "
                     f"build, not this one, e.g. {display_path(stale[0])} {hint}"])
    else:
        _warn(warn, [f"warning: {display_path(p)} is from an earlier build, not this one "
                     f"{hint}" for p in stale])
    return paths


def _warn(warn, lines: list[str]) -> None:
    if warn and lines:
        warn(lines)
