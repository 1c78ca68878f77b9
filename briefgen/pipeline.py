"""The one way briefs are made: load → select → compose → render → write.

`build`, `weekly`, `watch`, `send` and `check` (its template check) all go through here, and
each guard (a missing fact base, an unknown theme, an empty base, a week) is in one place.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.desk import Desk
from briefgen.errors import BuildError, Diagnostic, UsageError, display_path

if TYPE_CHECKING:
    from briefgen.compose.composer import Spec
    from briefgen.compose.model import Brief
    from briefgen.factbase.base import FactBase


def load(desk: Desk, strict: bool = False, cache: dict | None = None, readers: bool = False,
         templates: bool = False, cutoff: date | None = None) -> FactBase:
    """Load and verify the desk's fact base; raise DiagnosticsError listing every problem.

    `readers`: check the desk's distribution list too (it must exist); `templates`: compose
    every brief the templates define, in memory, and report each template mistake like a
    fact-file error. Warnings fail the load too when `strict`. `cache`: see load_factbase.
    `cutoff` (a date): the base as it stood that day (facts, judgments and their terms).
    """
    # Imported here, not above: build and weekly fork their writer workers first, so that
    # pydantic (~0.3 s to import and build the models) loads while the workers import theirs.
    from briefgen.factbase.base import load_factbase

    from briefgen.compose import precompile

    with precompile.worker(desk.templates, TEMPLATES if templates else ()):
        base = _checked(desk, load_factbase(desk.require_facts(), cache,
                                            settings_file=desk.settings_file),
                        strict, readers, templates)
    if cutoff:
        from briefgen.factbase.history import known_by
        base = known_by(base, cutoff)
    return base


# the templates `check` runs: the briefs' and the e-mails'
TEMPLATES = ("theme.md.j2", "weekly.md.j2", "email.txt.j2", "email.html.j2")


def _checked(desk: Desk, base: FactBase, strict: bool, readers: bool,
             templates: bool) -> FactBase:
    """`base` with the problems of the readers file and templates (see load), raised."""
    labels: dict[str, str] = {}  # file -> what it is, for the summary line
    facts_failed = bool(base.errors)
    if readers:
        found = _reader_problems(base, desk.readers)
        base.diagnostics.extend(found)
        labels.update(dict.fromkeys((d.path for d in found), "readers file"))
    if templates and not facts_failed:
        found = template_problems(desk, base)
        base.diagnostics.extend(found)
        facts = display_path(desk.facts)
        labels.update({d.path: "template" if d.path.endswith(".j2") else Path(d.path).name
                       for d in found if not d.path.startswith(facts + "/")})  # as build says it
    base.raise_for_errors(strict=strict, labels=labels)
    return base


def _reader_problems(base: FactBase, readers: Path) -> list[Diagnostic]:
    """The problems of the readers file (none: `base.readers` counts its readers)."""
    from briefgen.distribution.readers import load_readers
    from briefgen.errors import DiagnosticsError

    try:
        base.readers = len(load_readers(readers, base.themes))
    except DiagnosticsError as e:
        return e.diagnostics
    return []


# --- select ---------------------------------------------------------------------------------


def check_themes(base: FactBase, themes: list[str] | None) -> None:
    """A usage error for a theme the base does not define, as every command says it."""
    unknown = [t for t in themes or () if t not in base.themes]
    if unknown:
        raise UsageError(f"unknown theme '{unknown[0]}' "
                         f"(themes: {', '.join(base.themes) or 'none'})")


def theme_briefs(desk: Desk, base: FactBase, themes: list[str] | None,
                 annotated: bool = False, cutoff: date | None = None) -> list[Spec]:
    """One theme brief per theme of `themes` (default: every theme of the base), with what
    was known by `cutoff` (default: everything)."""
    from briefgen.compose.specs import theme_spec

    check_themes(base, themes)
    if not base.themes:  # an empty facts folder: say why nothing comes out
        raise BuildError("the fact base has no themes: nothing to build (hint: add themes "
                         f"to {display_path(desk.facts / 'themes.yaml')}, see `briefgen "
                         "docs facts`)")
    return [theme_spec(base, t, annotated, cutoff) for t in dict.fromkeys(themes or base.themes)]


def check_period(week: str | None = None, first: date | None = None,
                 last: date | None = None) -> None:
    """A usage error for a week that does not exist or a period that is not one."""
    from briefgen.compose.specs import parse_week

    if (first is None) != (last is None) or (first and week):
        raise UsageError("give --from and --to together, and not with --week")
    if first and first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    if week:
        parse_week(week)


def weekly_brief(base: FactBase, week: str | None = None, first: date | None = None,
                 last: date | None = None, themes: list[str] | None = None,
                 annotated: bool = False, cutoff: date | None = None) -> Spec:
    """The weekly brief of an ISO week (default: the current one), or of the days `first` to
    `last` (both included), with what was known by `cutoff` (default: everything)."""
    from briefgen.compose.specs import current_week, period_spec, weekly_spec

    check_period(week, first, last)
    if first:
        return period_spec(base, first, last, themes, annotated=annotated, cutoff=cutoff)
    return weekly_spec(base, week or current_week(), themes, annotated=annotated, cutoff=cutoff)


def developments(spec: Spec) -> int:
    """How many distinct facts a brief shows under its themes (0: an empty week)."""
    return len({f.id for _, facts in spec.themes for f in facts})


def empty_week(spec: Spec) -> str:
    return f"no development is dated in {spec.context.get('week', spec.name)}"


# --- compose, render, write -----------------------------------------------------------------


def compose(desk: Desk, base: FactBase, specs: list[Spec]) -> list[Brief]:
    """Each spec through its template into a brief model."""
    from briefgen.compose.composer import compose as compose_one

    return [compose_one(base, desk.templates, spec) for spec in specs]


class Pipeline:
    """A desk's writers, ready: enter it early, and the writer workers import their libraries
    while this process loads the fact base (see render.Writers); `templates`: the brief
    templates it will compose, compiled by a worker meanwhile."""

    def __init__(self, desk: Desk, formats: tuple, templates: tuple[str, ...] = ()):
        from briefgen.compose import precompile
        from briefgen.render import Writers

        self.desk = desk
        # The Word (or HTML) worker compiles the `templates` first, at the priority of this
        # process: they are ready when the composing starts, before the fact base is loaded.
        self.writers = Writers(formats, desk.templates, first=lambda pool: precompile.start(
            pool, desk.templates, templates))

    def __enter__(self) -> Pipeline:
        self.writers.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        from briefgen.compose import precompile

        precompile.forget()
        self.writers.__exit__(*exc)

    def make(self, base: FactBase, specs: list[Spec], last: bool = False) -> list[Path]:
        """Compose and render every brief in memory, then write them all at once; the brief
        files written (the provenance records are written beside them, not listed). `last`:
        no brief comes after these, so the writer workers end while the files are written."""
        return self.write(compose(self.desk, base, specs), last)

    def write(self, briefs: list[Brief], last: bool = False) -> list[Path]:
        from briefgen.atomic import write_atomically

        files: dict[Path, bytes] = {}
        for brief, rendered in zip(briefs, self.writers.render(briefs, last), strict=True):
            for suffix in sorted(rendered):
                files[self.desk.out / f"{brief.name}{suffix}"] = rendered[suffix]
        if last:
            self.writers.close()
        return [p for p in write_atomically(files) if not p.name.endswith(".sources.json")]


# --- check: the templates -------------------------------------------------------------------


def template_problems(desk: Desk, base: FactBase) -> list[Diagnostic]:
    """Every template problem found composing each theme brief and one weekly brief, rendering
    the e-mail templates for that weekly, and each character of those briefs that the PDF could
    not draw (located where it is written).

    Each theme brief holds one fact of each shape (specs.sample): every path of its template
    runs on real data without composing the whole of a large base. The weekly is the week of
    the latest fact dated to the day (the current week if none; the last week a brief can cover
    if that day is later), so that its loops run over real facts. Nothing is written; the same
    error seen in several briefs is reported once.
    """
    from briefgen.compose.composer import compose as compose_one
    from briefgen.compose.specs import (LAST_WEEK, current_week, sample, theme_spec, week_of,
                                        weekly_spec)
    from briefgen.errors import DiagnosticsError, TemplateError
    from briefgen.glyphs import glyph_problems

    days = [f.date.first_day for f in base.facts.values() if f.date.precision == "day"]
    week_id = min(week_of(max(days)) if days else current_week(), LAST_WEEK)
    specs = [sample(base, theme_spec(base, t)) for t in base.themes] + \
        [weekly_spec(base, week_id)]
    found: dict[Diagnostic, None] = {}
    failed: set[str] = set()  # a template that stopped once is not run again (it may be slow)
    briefs, composed = [], None
    for spec in specs:
        if spec.template in failed:
            continue
        try:
            briefs.append(compose_one(base, desk.templates, spec))
            composed = spec
        except TemplateError as e:
            found.update(dict.fromkeys(e.diagnostics))
            if getattr(e, "stopped", False):  # the template itself failed, not its data
                failed.add(spec.template)
        except BuildError as e:  # e.g. a template file that is not there
            found[Diagnostic(display_path(desk.templates / spec.template), 1, 0, "error",
                             str(e))] = None
            failed.add(spec.template)
        except DiagnosticsError as e:  # the words (wording.toml, language): every brief's
            found.update(dict.fromkeys(e.diagnostics))
            break
    found.update(dict.fromkeys(glyph_problems(desk, base, briefs)))
    if briefs and composed is specs[-1]:  # the e-mails, as send words this weekly
        found.update(dict.fromkeys(mail_problems(desk, base, composed, briefs[-1])))
    return list(found)


def mail_problems(desk: Desk, base: FactBase, spec: Spec, brief: Brief) -> list[Diagnostic]:
    """The e-mail templates rendered as `send` words the edition of `brief` (the weekly `spec`),
    first sent and corrected: each failure a diagnostic at its template line, as `send` would
    have failed on it."""
    import re

    from briefgen.distribution.email_templates import EmailTemplates
    from briefgen.distribution.message import context, summarize
    from briefgen.distribution.plan import Change

    summary = summarize(brief, spec.context["week"], spec.context.get("period", ""))
    words = {k: v for k, v in base.settings.desk.model_dump().items() if isinstance(v, str)}
    edition = f"{spec.context['week']}-{'0' * 12}"  # the words do not depend on the hash
    corrections = [Change("changed", "a", "The line now.", "The line before.", "Withdrawn."),
                   Change("withdrawn", "b", "A line withdrawn."), Change("added", "c", "A line.")]
    templates, found = EmailTemplates(desk.templates), {}
    for corrected, changes in ((False, None), (True, corrections), (True, []), (True, None)):
        try:
            templates.render(context(
                summary, edition, brief.name, words, corrected,
                None if changes is None else [vars(c) for c in changes], issued="1 January 2020",
                number=1 if corrected else 0,
                correction="Corrected edition, replacing the edition sent on 1 January 2020."
                if corrected else "", what_changed=({"runs": (), "text": "The line now."},)
                if changes else ()))
        except BuildError as e:  # "templates/email.txt.j2:6: template error: ... (hint: ...)"
            m = re.fullmatch(r"(.+?):(\d+): (?:template )?error: (.*?)(?: \(hint: (.*)\))?",
                             str(e), re.S)
            path, line, message, hint = m.groups() if m else (
                display_path(desk.templates), "1", str(e), None)
            found[Diagnostic(path, int(line) or 1, 0, "error", message, hint=hint)] = None
    return list(found)


def warning_lines(base: FactBase, extra: list[str] = ()) -> list[str]:
    """The fact base's warnings (and `extra` ones) as lines to show, with a one-line count;
    nothing when there are none."""
    if not (base.warnings or extra):
        return []
    return ([str(d) for d in sorted(base.warnings)] + [f"warning: {e}" for e in extra]
            + [base.summary(len(extra))])
