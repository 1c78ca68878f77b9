"""The library behind each command: check, schema, build, weekly, send and init."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import count

if TYPE_CHECKING:
    from briefgen.factbase.base import FactBase


def check(facts: Path, strict: bool = False) -> FactBase:
    """Load and verify the fact base; raise DiagnosticsError listing every problem."""
    # Imported here, not above: build and weekly fork their writer workers first, so that
    # pydantic (~0.3 s to import and build the models) loads while the workers import theirs.
    from briefgen.factbase.base import load_factbase

    base = load_factbase(facts)
    base.raise_for_errors(strict=strict)
    return base


def summary(base: FactBase) -> str:
    """One line for stderr: what was checked and what was found."""
    def n(items, word):
        return f"{len(items)} {word}{'s' * (len(items) != 1)}"
    return (f"checked {n(base.facts, 'fact')}, {n(base.sources, 'source')}, "
            f"{n(base.themes, 'theme')}: {count(base.diagnostics)}")


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
    """The desk's templates folder: as given, else `templates/` beside the fact base folder."""
    return Path(templates) if templates is not None else Path(facts).parent / "templates"


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
          format: tuple = ("docx", "pdf"), out: Path = Path("out"),
          annotated: bool = False) -> list[Path]:
    """One brief per theme (default: every theme); returns the brief files written.

    `annotated` builds the desk's review edition instead of the readers'.
    """
    from briefgen.errors import UsageError
    from briefgen.output import Renderer, check_out

    check_out(out)
    templates = desk_templates(facts, templates)
    with Renderer(format, templates) as renderer:
        from briefgen.compose.specs import theme_spec  # after the fork, as check() explains

        base = check(facts)
        unknown = [t for t in theme or () if t not in base.themes]
        if unknown:
            raise UsageError(f"unknown theme '{unknown[0]}' (themes: {', '.join(base.themes)})")
        specs = [theme_spec(base, t, annotated) for t in dict.fromkeys(theme or base.themes)]
        return _write_briefs(base, templates, out, specs, renderer)


def weekly(facts: Path, templates: Path | None = None, week: str | None = None,
           format: tuple = ("docx", "pdf"), out: Path = Path("out"),
           annotated: bool = False) -> list[Path]:
    """The weekly brief for an ISO week (default: the current week); `annotated` as in build."""
    from briefgen.output import Renderer, check_out

    check_out(out)
    templates = desk_templates(facts, templates)
    with Renderer(format, templates) as renderer:
        from briefgen.compose.specs import current_week, weekly_spec  # after the fork, see check()

        base = check(facts)
        spec = weekly_spec(base, week or current_week(), annotated=annotated)
        return _write_briefs(base, templates, out, [spec], renderer)


def send(facts: Path, templates: Path | None, week: str, readers: Path | None = None,
         dry_run: bool = False, out: Path = Path("out"), format: tuple = ("pdf",),
         resend_changed: bool = False, retry_unknown: bool = False, progress=None):
    """Email each reader the weekly brief of the themes they follow; returns the Report
    (see briefgen.distribution.send; `report.raise_for_problems()` says if anyone was missed)."""
    from briefgen.distribution.send import run

    return run(facts, desk_templates(facts, templates), week, desk_readers(facts, readers),
               dry_run=dry_run, out=out, format=format, resend_changed=resend_changed,
               retry_unknown=retry_unknown, progress=progress)


def ledger(out: Path = Path("out"), week: str | None = None, reader: str | None = None):
    """The send ledger's rows (of a week, of a reader) and the ledger's path."""
    from briefgen.distribution.ledger_view import read

    return read(out, week, reader)


def impact(facts: Path, id: str, out: Path = Path("out")):
    """Everything resting on a source, fact or judgment, down to the readers who got it."""
    from briefgen.provenance.impact import impact as walk

    return walk(facts, id, out)


def init(dir: Path = Path("."), region: str | None = None, force: bool = False) -> list[Path]:
    """A new desk folder that checks and builds right away; see briefgen.init."""
    from briefgen.init import DEFAULT_REGION, init as init_desk

    return init_desk(dir=dir, region=region or DEFAULT_REGION, force=force)
