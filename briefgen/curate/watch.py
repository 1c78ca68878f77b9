"""`briefgen watch`: one warm process that rebuilds the chosen briefs on every save.

The writer workers stay up between builds, fact files are parsed again only when they changed
(the loader's cache, by size, inode and modification time; kept in memory only), and every
quote is verified again on each build. A build that fails prints its located errors and
leaves the previous files in place; outputs are replaced all at once.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from collections.abc import Callable

from briefgen.errors import BriefgenError, display_path

STEP_MS = 20  # a save is acted on once the folders were quiet this long
DEBOUNCE_MS = 1600  # at most this long is spent gathering one burst of changes
WATCHED = (".yaml", ".yml", ".txt", ".j2", ".ttf", ".otf", ".docx", ".png", ".jpg", ".toml")

Report = Callable[[str, list], None]  # ("paths" | "errors" | "status", lines)


def watch(facts: Path, templates: Path, theme: list[str] | None, week: str | None, out: Path,
          format: tuple, report: Report, stop_event=None) -> None:
    """Build once, then again after every save under `facts` or `templates`, until Ctrl-C
    (KeyboardInterrupt, left to the caller) or `stop_event` is set."""
    from watchfiles import DefaultFilter
    from watchfiles import watch as changes_in

    from briefgen.output import Renderer

    class Filter(DefaultFilter):
        """Saves of the files a brief is made of; not editors' and briefgen's temporary files."""

        def __call__(self, change, path: str) -> bool:
            name = Path(path).name
            return super().__call__(change, path) and name.endswith(WATCHED) and \
                not name.startswith(".") and not Path(path).is_relative_to(Path(out).resolve())

    folders = [str(p) for p in (facts, templates) if Path(p).is_dir()]
    if not Path(facts).is_dir():
        raise BriefgenError(f"fact base folder '{facts}' not found "
                            "(hint: run in a desk folder, pass --facts DIR, or make a desk "
                            "with briefgen init)")
    cache: dict = {}
    with Renderer(format, templates) as renderer:
        _check_choice(facts, theme, week, cache)
        report("status", ["watching for saves (Ctrl-C to stop)"])
        for pool in renderer.pools.values():  # Ctrl-C is for this process to handle
            pool.submit(_ignore_interrupts)
        rebuild(facts, templates, theme, week, out, renderer, cache, report, "start")
        for changes in changes_in(*folders, watch_filter=Filter(), step=STEP_MS,
                                  debounce=DEBOUNCE_MS, stop_event=stop_event,
                                  raise_interrupt=True):
            saved = sorted({display_path(path) for _, path in changes})
            rebuild(facts, templates, theme, week, out, renderer, cache, report,
                    ", ".join(saved[:3]) + (f" and {len(saved) - 3} more" if len(saved) > 3
                                            else ""))


def _check_choice(facts: Path, theme: list[str] | None, week: str | None, cache: dict) -> None:
    """A usage error, before watching, for a week that does not exist or a theme the base does
    not define, as `build` says it. A base with errors still starts: the curator fixes it while
    the watch runs, and the theme may be in the part that does not load yet."""
    from briefgen.compose.specs import parse_week
    from briefgen.errors import UsageError
    from briefgen.factbase.base import load_factbase

    if week:
        parse_week(week)
    base = load_factbase(Path(facts), cache)  # parsed once: the first build reuses the cache
    unknown = [t for t in theme or () if t not in base.themes]
    if unknown and not base.errors:
        raise UsageError(f"unknown theme '{unknown[0]}' "
                         f"(themes: {', '.join(base.themes) or 'none'})")


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def rebuild(facts: Path, templates: Path, theme: list[str] | None, week: str | None, out: Path,
            renderer, cache: dict, report: Report, why: str) -> bool:
    """One build of the chosen briefs; reports the paths written or the errors found."""
    from briefgen.api import _write_briefs, summary
    from briefgen.compose.specs import theme_spec, weekly_spec
    from briefgen.errors import UsageError
    from briefgen.factbase.base import load_factbase

    started = time.perf_counter()
    try:
        base = load_factbase(Path(facts), cache)
        base.raise_for_errors()
        unknown = [t for t in theme or () if t not in base.themes]
        if unknown:
            raise UsageError(f"unknown theme '{unknown[0]}' "
                             f"(themes: {', '.join(base.themes) or 'none'})")
        chosen = list(dict.fromkeys(theme or ([] if week else base.themes)))
        specs = [theme_spec(base, t) for t in chosen] + ([weekly_spec(base, week)] if week
                                                         else [])
        paths = _write_briefs(base, Path(templates), Path(out), specs, renderer)
    except BriefgenError as e:
        report("errors", e.lines() + [f"{why}: not rebuilt; the previous files stay"])
        return False
    warnings = [str(d) for d in sorted(base.warnings)]
    report("paths", [str(p) for p in paths])
    report("status", warnings + [f"{why}: rebuilt {len(paths)} file"
                                 f"{'s' * (len(paths) != 1)} in "
                                 f"{time.perf_counter() - started:.2f} s ({summary(base)})"])
    return True
