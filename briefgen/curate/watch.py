"""`briefgen watch`: one warm process that rebuilds the chosen briefs on every save.

The writer workers stay up between builds, fact files are parsed again only when they changed
(the loader's cache, by size, inode and modification time; kept in memory only), and every
quote is verified again on each build. A build that fails prints its located errors and
leaves the previous files in place; outputs are replaced all at once.
"""

from __future__ import annotations

import gc
import signal
import threading
import time
from pathlib import Path
from collections.abc import Callable

from briefgen.desk import Desk
from briefgen.errors import BriefgenError, display_path

STEP_MS = 20  # a save is acted on once the folders were quiet this long
DEBOUNCE_MS = 1600  # at most this long is spent gathering one burst of changes
FIRST_YIELD_MS = 50  # a watch restarted on a new folder reports in this soon
POLL_S = 0.25  # how often a templates folder that does not exist yet is looked for
WATCHED = (".yaml", ".yml", ".txt", ".j2", ".ttf", ".otf", ".docx", ".png", ".jpg", ".toml")

Reporter = Callable[[str, list], None]  # ("paths" | "errors" | "status", lines)


def watch(desk: Desk, theme: list[str] | None, week: str | None, format: tuple,
          report: Reporter, stop_event=None) -> None:
    """Build once, then again after every save under the desk's facts or templates (also a
    templates folder made after the start), until Ctrl-C (KeyboardInterrupt, left to the
    caller) or `stop_event` is set."""
    from watchfiles import DefaultFilter
    from watchfiles import watch as changes_in

    from briefgen.pipeline import Pipeline

    out = Path(desk.out).resolve()

    class Filter(DefaultFilter):
        """Saves of the files a brief is made of; not editors' and briefgen's temporary files."""

        def __call__(self, change, path: str) -> bool:
            name = Path(path).name
            return super().__call__(change, path) and name.endswith(WATCHED) and \
                not name.startswith(".") and not Path(path).is_relative_to(out)

    desk.require_facts()
    cache: dict = {}
    try:
        with Pipeline(desk, format) as pipeline:
            _check_choice(desk, theme, week, cache)
            report("status", ["watching for saves (Ctrl-C to stop)"])
            for pool in pipeline.writers.pools.values():  # Ctrl-C is for this process to handle
                pool.submit(_ignore_interrupts)
            rebuild(pipeline, theme, week, cache, report, "start")
            created = None  # a templates folder just made: rebuilt once it is watched too
            while True:
                # A templates folder made after the start is watched from then on: until it
                # exists, a poller ends this round of watching when it appears.
                templates = Path(desk.templates)
                folders = [str(p) for p in (desk.facts, templates) if p.is_dir()]
                waiting = None if templates.is_dir() else _appearing(templates, stop_event)
                for changes in changes_in(*folders, watch_filter=Filter(), step=STEP_MS,
                                          debounce=DEBOUNCE_MS, stop_event=waiting or stop_event,
                                          raise_interrupt=True, yield_on_timeout=bool(created),
                                          rust_timeout=FIRST_YIELD_MS if created else 5000):
                    if created:  # the first yield: the new folder is watched, nothing is missed
                        rebuild(pipeline, theme, week, cache, report, created)
                        created = None
                    if not changes:
                        continue
                    saved = sorted({display_path(path) for _, path in changes})
                    rebuild(pipeline, theme, week, cache, report,
                            ", ".join(saved[:3]) + (f" and {len(saved) - 3} more"
                                                    if len(saved) > 3 else ""))
                if waiting is None or (stop_event is not None and stop_event.is_set()):
                    return
                created = f"{display_path(templates)}/ created"
    finally:
        gc.unfreeze()  # what `settle` froze is the caller's again


def _appearing(folder: Path, stop_event) -> threading.Event:
    """An event set once `folder` exists (or `stop_event` is set), checked every POLL_S."""
    event = threading.Event()

    def poll() -> None:
        while not event.wait(POLL_S):
            if folder.is_dir() or (stop_event is not None and stop_event.is_set()):
                event.set()

    threading.Thread(target=poll, daemon=True).start()
    return event


def _check_choice(desk: Desk, theme: list[str] | None, week: str | None, cache: dict) -> None:
    """A usage error, before watching, for a week that does not exist or a theme the base does
    not define, as `build` says it. A base with errors still starts: the curator fixes it while
    the watch runs, and the theme may be in the part that does not load yet."""
    from briefgen.factbase.base import load_factbase
    from briefgen.pipeline import check_period, check_themes

    check_period(week)
    base = load_factbase(desk.facts, cache, settings_file=desk.settings_file)  # parsed once
    if not base.errors:
        check_themes(base, theme)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def rebuild(pipeline, theme: list[str] | None, week: str | None, cache: dict,
            report: Reporter, why: str) -> bool:
    """One build of the chosen briefs; reports the paths written or the errors found."""
    try:
        return _build(pipeline, theme, week, cache, report, why)
    finally:
        settle()


def settle() -> None:
    """After a build, while the curator reads it: collect its garbage now, and keep what
    lives on (the parsed files, the compiled templates) out of the collector's walks, so
    that no full collection falls inside the next save → files (a 500-line desk: a pause of
    0.06-0.08 s every other build without this)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _build(pipeline, theme: list[str] | None, week: str | None, cache: dict,
           report: Reporter, why: str) -> bool:
    from briefgen import pipeline as steps

    started = time.perf_counter()
    try:
        base = steps.load(pipeline.desk, cache=cache)
        steps.check_themes(base, theme)
        specs = steps.theme_briefs(pipeline.desk, base, theme) if theme or not week else []
        if week:
            specs.append(steps.weekly_brief(base, week))
        paths = pipeline.make(base, specs)
    except BriefgenError as e:
        report("errors", e.lines() + [f"{why}: not rebuilt; the previous files stay"])
        return False
    warnings = [str(d) for d in sorted(base.warnings)]
    report("paths", [str(p) for p in paths])
    report("status", warnings + [f"{why}: rebuilt {len(paths)} file"
                                 f"{'s' * (len(paths) != 1)} in "
                                 f"{time.perf_counter() - started:.2f} s ({base.summary()})"])
    return True
