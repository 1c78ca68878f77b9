"""`check` for templates: render every brief the templates define, in memory, collecting errors."""

from __future__ import annotations

from pathlib import Path

from briefgen.errors import BuildError, Diagnostic, DiagnosticsError, TemplateError, display_path
from briefgen.factbase.base import FactBase


def template_diagnostics(base: FactBase, templates: Path) -> list[Diagnostic]:
    """Every template problem found composing each theme brief and one weekly brief.

    The weekly is the week of the latest fact dated to the day (the current week if none), so
    that its loops run over real facts. Nothing is written; the same error seen in several
    briefs is reported once.
    """
    from briefgen.compose.composer import compose
    from briefgen.compose.specs import current_week, theme_spec, weekly_spec

    days = [f.date.first_day for f in base.facts.values() if f.date.precision == "day"]
    if days:
        year, week, _ = max(days).isocalendar()
        week_id = f"{year}-W{week:02d}"
    else:
        week_id = current_week()
    specs = [theme_spec(base, t) for t in base.themes] + [weekly_spec(base, week_id)]
    found: dict[Diagnostic, None] = {}
    failed: set[str] = set()  # a template that stopped once is not run again (it may be slow)
    for spec in specs:
        if spec.template in failed:
            continue
        try:
            compose(base, templates, spec)
        except TemplateError as e:
            found.update(dict.fromkeys(e.diagnostics))
            if getattr(e, "stopped", False):  # the template itself failed, not its data
                failed.add(spec.template)
        except BuildError as e:  # e.g. a template file that is not there
            found[Diagnostic(display_path(templates / spec.template), 1, 0, "error",
                             str(e))] = None
            failed.add(spec.template)
        except DiagnosticsError as e:  # the words (wording.toml, language): every brief's
            found.update(dict.fromkeys(e.diagnostics))
            break
    return list(found)
