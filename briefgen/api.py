"""The library behind each command: check, schema, build, weekly, send and init."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import count

if TYPE_CHECKING:
    from briefgen.factbase.base import FactBase


def check(facts: Path, strict: bool = False, templates: Path | None = None,
          readers: Path | None = None) -> FactBase:
    """Load and verify the fact base; raise DiagnosticsError listing every problem.

    With `templates` (the desk's folder; the packaged defaults fill in what it lacks), every
    brief they define is also composed in memory and each template mistake is reported like a
    fact-file error. With `readers` (a distribution list, which must exist), every reader is
    checked too, against the base's themes, and reported in the same run.
    """
    # Imported here, not above: build and weekly fork their writer workers first, so that
    # pydantic (~0.3 s to import and build the models) loads while the workers import theirs.
    from briefgen.factbase.base import load_factbase

    base = load_factbase(facts)
    labels: dict[str, str] = {}  # file -> what it is, for the summary line
    facts_failed = bool(base.errors)
    if readers is not None:
        found = _reader_diagnostics(base, Path(readers))
        base.diagnostics.extend(found)
        labels.update(dict.fromkeys((d.path for d in found), "readers file"))
    if templates is not None and not facts_failed:
        from briefgen.compose.check import template_diagnostics

        found = template_diagnostics(base, Path(templates))
        base.diagnostics.extend(found)
        labels.update({d.path: "template" if d.path.endswith(".j2") else Path(d.path).name
                       for d in found})  # "template has ...", as build says it
    base.raise_for_errors(strict=strict, labels=labels)
    return base


def _reader_diagnostics(base: FactBase, readers: Path) -> list:
    """The problems of the readers file (none: `base.readers` counts its readers)."""
    from briefgen.distribution.readers import load_readers
    from briefgen.errors import DiagnosticsError

    try:
        base.readers = len(load_readers(readers, base.themes))
    except DiagnosticsError as e:
        return e.diagnostics
    return []


def summary(base: FactBase, more_warnings: int = 0) -> str:
    """One line for stderr: what was checked and what was found."""
    def n(items, word):
        return f"{len(items)} {word}{'s' * (len(items) != 1)}"
    found = count(base.diagnostics)
    if more_warnings:
        errors = len(base.errors)
        warnings = len(base.warnings) + more_warnings
        found = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    judged = f"{n(base.judgments, 'judgment')}, " if base.judgments else ""
    readers = "" if base.readers is None else \
        f", {base.readers} reader{'s' * (base.readers != 1)}"
    return (f"checked {n(base.facts, 'fact')}, {judged}{n(base.sources, 'source')}, "
            f"{n(base.themes, 'theme')}{readers}: {found}")


def schema() -> str:
    """The JSON Schema of fact files (draft 2020-12), as text."""
    from briefgen.factbase.models import FactFile

    doc = FactFile.model_json_schema()
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$id": "https://briefgen.invalid/schema/facts.json",
           **doc, "title": "briefgen fact file"}
    doc["minProperties"] = 1
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def desk_templates(facts: Path, templates: Path | None) -> Path:
    """The desk's templates folder: as given, else `templates/` beside the fact base folder.

    A folder given with --templates must exist: a mistyped path would otherwise build with the
    packaged templates, and the brief would silently lose the desk's look and wording.
    """
    if templates is None:
        return Path(facts).parent / "templates"
    templates = Path(templates)
    if not templates.is_dir():
        from briefgen.errors import UsageError
        what = "is not a folder" if templates.exists() else "does not exist"
        raise UsageError(f"--templates '{templates}' {what} (hint: pass the desk's templates "
                         "folder, or leave --templates out to use templates/ beside the fact "
                         "base, else the packaged templates)")
    return templates


def desk_out(facts: Path, out: Path | None) -> Path:
    """The output folder: as given, else the desk's `out/` beside the fact base folder (where
    the send ledger lives: a run from another folder must find it, or it would send again)."""
    return Path(out) if out is not None else Path(facts).parent / "out"


def desk_readers(facts: Path, readers: Path | None) -> Path:
    """The distribution list: as given, else `readers.yaml` beside the fact base folder."""
    return Path(readers) if readers is not None else Path(facts).parent / "readers.yaml"


def _write_briefs(base: FactBase, templates: Path, out: Path, specs, renderer) -> list[Path]:
    """Compose and render every brief in memory, then write them all at once."""
    from briefgen.compose.composer import compose
    from briefgen.output import write_atomically

    briefs = [compose(base, templates, spec) for spec in specs]
    files: dict[Path, bytes] = {}
    for brief, rendered in zip(briefs, renderer.render(briefs), strict=True):
        for suffix in sorted(rendered):
            files[out / f"{brief.name}{suffix}"] = rendered[suffix]
    return [p for p in write_atomically(files) if not p.name.endswith(".sources.json")]


def build(facts: Path, templates: Path | None = None, theme: list[str] | None = None,
          format: tuple = ("docx", "pdf"), out: Path | None = None, annotated: bool = False,
          strict: bool = False, warn=None) -> list[Path]:
    """One brief per theme (default: every theme); returns the brief files written.

    `annotated` builds the desk's review edition instead of the readers'; `warn`, if given, is
    called with the lines to show for the fact base's warnings.
    """
    from briefgen.errors import UsageError
    from briefgen.output import Renderer, check_out

    out = desk_out(facts, out)
    check_out(out)
    templates = desk_templates(facts, templates)
    with Renderer(format, templates) as renderer:
        from briefgen.compose.specs import theme_spec  # after the fork, as check() explains

        base = check(facts, strict=strict)
        unknown = [t for t in theme or () if t not in base.themes]
        if unknown:
            raise UsageError(f"unknown theme '{unknown[0]}' "
                             f"(themes: {', '.join(base.themes) or 'none'})")
        if not base.themes:  # an empty facts folder: say why nothing comes out
            from briefgen.errors import BuildError, display_path
            raise BuildError("the fact base has no themes: nothing to build (hint: add themes "
                             f"to {display_path(Path(facts) / 'themes.yaml')}, see `briefgen "
                             "docs facts`)")
        _warn(base, warn)
        specs = [theme_spec(base, t, annotated) for t in dict.fromkeys(theme or base.themes)]
        return _write_briefs(base, templates, out, specs, renderer)


def weekly(facts: Path, templates: Path | None = None, week: str | None = None,
           format: tuple = ("docx", "pdf"), out: Path | None = None, annotated: bool = False,
           strict: bool = False, warn=None, from_=None, to=None) -> list[Path]:
    """The weekly brief for an ISO week (default: the current week), or for the days
    `from_` to `to` (dates, both included); `annotated` and `warn` as in build.

    A week with no development is a warning (an error with `strict`): the brief is built.
    """
    from briefgen.errors import UsageError
    from briefgen.output import Renderer, check_out

    if (from_ is None) != (to is None) or (from_ and week):
        raise UsageError("give --from and --to together, and not with --week")
    if from_ and from_ > to:
        raise UsageError(f"--from {from_} is after --to {to}")
    out = desk_out(facts, out)
    check_out(out)
    templates = desk_templates(facts, templates)
    with Renderer(format, templates) as renderer:
        from briefgen.compose.specs import current_week, period_spec, weekly_spec  # see check()

        base = check(facts, strict=strict)
        spec = (period_spec(base, from_, to, annotated=annotated) if from_ else
                weekly_spec(base, week or current_week(), annotated=annotated))
        empty = [] if _developments(spec) else [_empty_week(spec)]
        if empty and strict:
            from briefgen.errors import BuildError
            raise BuildError(empty[0] + " (--strict makes this an error)")
        _warn(base, warn, empty)
        return _write_briefs(base, templates, out, [spec], renderer)


def send(facts: Path, templates: Path | None, week: str, readers: Path | None = None,
         dry_run: bool = False, out: Path | None = None, format: tuple = ("pdf",),
         resend_changed: bool = False, retry_unknown: bool = False, strict: bool = False,
         allow_empty: bool = False, warn=None, progress=None):
    """Email each reader the weekly brief of the themes they follow; returns the Report
    (see briefgen.distribution.send; `report.raise_for_problems()` says if anyone was missed).

    A week with no development is refused (readers must not get an empty brief by accident)
    unless `allow_empty`.
    """
    from briefgen.compose.specs import parse_week, weekly_spec
    from briefgen.distribution.send import run
    from briefgen.errors import BriefgenError

    parse_week(week)  # a week that does not exist is a usage error before anything else
    base = check(facts, strict=strict)
    spec = weekly_spec(base, week)
    if not _developments(spec) and not allow_empty:
        raise BriefgenError(f"{_empty_week(spec)}; nothing sent (hint: pass --allow-empty "
                            "to send it anyway)")
    _warn(base, warn)
    return run(facts, desk_templates(facts, templates), week, desk_readers(facts, readers),
               dry_run=dry_run, out=desk_out(facts, out), format=format,
               resend_changed=resend_changed, retry_unknown=retry_unknown,
               allow_empty=allow_empty, progress=progress, base=base)


def ledger(out: Path = Path("out"), week: str | None = None, reader: str | None = None):
    """The send ledger's rows (of a week, of a reader) and the ledger's path."""
    from briefgen.distribution.ledger_view import read

    return read(out, week, reader)


def impact(facts: Path, id: str, out: Path | None = None):
    """Everything resting on a source, fact or judgment, down to the readers who got it."""
    from briefgen.provenance.impact import impact as walk

    return walk(facts, id, desk_out(facts, out))


def init(dir: Path = Path("."), region: str | None = None, force: bool = False) -> list[Path]:
    """A new desk folder that checks and builds right away; see briefgen.init."""
    from briefgen.init import DEFAULT_REGION, init as init_desk

    return init_desk(dir=dir, region=region or DEFAULT_REGION, force=force)


def _developments(spec) -> int:
    return len({f.id for _, facts in spec.themes for f in facts})


def _empty_week(spec) -> str:
    return f"no development is dated in {spec.context.get('week', spec.name)}"


def _warn(base: FactBase, warn, extra: list[str] = ()) -> None:
    """Hand the fact base's warnings (and `extra` ones) to `warn`, with a one-line count."""
    if warn and (base.warnings or extra):
        warn([str(d) for d in sorted(base.warnings)] + [f"warning: {e}" for e in extra]
             + [summary(base, len(extra))])


def docs(page: str | None = None) -> str:
    """A page of the user documentation, as Markdown: the index without `page`."""
    import difflib

    from briefgen import resources
    from briefgen.errors import UsageError

    folder = resources.docs_dir()
    pages = sorted(p.stem for p in folder.glob("*.md"))
    name = "index" if page is None else page.removesuffix(".md")
    if name not in pages:
        close = difflib.get_close_matches(name, pages, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "run `briefgen docs` for the index"
        raise UsageError(f"no documentation page '{page}' (pages: {', '.join(pages)}) "
                         f"(hint: {hint})")
    return (folder / f"{name}.md").read_text(encoding="utf-8")


def quote(facts: Path, words: str, source: str | None = None, any: bool = False) -> str:
    """The passages of `source` (or, with `any`, of every source) closest to `words`, best
    first, as ready-to-paste YAML citations separated by blank lines."""
    from briefgen.curate.quotefinder import find, yaml_block
    from briefgen.errors import UsageError

    if any == (source is not None):
        raise UsageError("give a source id or --any, not both" if any else
                         "give a source id, or --any to search every source")
    return "\n".join(yaml_block(p) for p in find(facts, words, source))


def list_items(facts: Path, what: str, theme: list[str] | None = None, week: str | None = None,
               warn=None) -> list[dict]:
    """The themes, sources or facts of the base (those of `theme` / dated in `week`), as rows.

    A base with errors is listed as far as it is valid; `warn` gets a one-line count.
    """
    from briefgen.curate.listing import rows
    from briefgen.errors import UsageError
    from briefgen.factbase.base import load_factbase

    base = load_factbase(facts)
    unknown = [t for t in theme or () if t not in base.themes]
    if unknown:
        raise UsageError(f"unknown theme '{unknown[0]}' "
                         f"(themes: {', '.join(base.themes) or 'none'})")
    if warn and base.errors:
        warn([f"{summary(base)} (run briefgen check for details)"])
    return rows(base, what, theme or None, week)


def source_add(facts: Path, source: str, id: str | None = None, url: str | None = None,
               title: str | None = None, publisher: str | None = None,
               published: str | None = None, reliability: str | None = None,
               language: str | None = None, into: Path | None = None) -> str:
    """Archive an article (path or URL) under facts/sources/ and append its entry; the new id."""
    from briefgen.curate.capture import add

    return add(facts, source, id=id, url=url, title=title, publisher=publisher,
               published=published, reliability=reliability, language=language, into=into)


def watch(facts: Path, templates: Path | None = None, theme: list[str] | None = None,
          week: str | None = None, out: Path | None = None, format: tuple = ("docx", "pdf"),
          report=None, stop_event=None) -> None:
    """Build the chosen briefs, then again on every save; see briefgen.curate.watch."""
    from briefgen.curate.watch import watch as watch_loop
    from briefgen.output import check_out

    out = desk_out(facts, out)
    check_out(out)
    watch_loop(facts, desk_templates(facts, templates), theme, week, out, format,
               report or (lambda kind, lines: None), stop_event=stop_event)
