"""The render step: the writers turn brief models into file bytes, each format in a worker."""

from __future__ import annotations

import gc
import json
import os
import pickle
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import replace
from pathlib import Path

from briefgen import resources
from briefgen.compose.model import Brief
from briefgen.errors import BriefgenError
from briefgen.workers import can_fork


_LONGEST_FIRST = ("pdf", "docx", "html")  # the order the workers get their briefs


class Writers:
    """Renders briefs in the requested formats, each brief to {suffix: bytes}.

    On a machine with two cores each format gets a forked worker of its own. Enter the context
    early: the workers import their writer (python-docx; reportlab and the fonts; the HTML
    writer's fonts) while this process is still loading the fact base, then write the formats
    side by side. `first` (a function of a pool) gives the Word or HTML worker, whose writer
    is not the longest to get ready, a job before its warm-up.
    """

    def __init__(self, formats: tuple, templates: Path | None, first=None):
        self.formats, self.templates = formats, templates
        self.reference = resources.reference_docx(templates)
        self.pools: dict = {}
        self.parallel = can_fork()
        self.first = first  # given the pool of the Word (or HTML) worker, before its warm-up

    def __enter__(self) -> Writers:
        if self.parallel:
            from briefgen.workers import fork_pool
            spare = next((f for f in ("docx", "html") if f in self.formats), None)
            for fmt in self.formats:
                self.pools[fmt] = fork_pool()
                if fmt == spare and self.first is not None:
                    self.first(self.pools[fmt])
                self.pools[fmt].submit(_warm, fmt, self.templates)
        return self

    def __exit__(self, *exc) -> None:
        for pool in self.pools.values():
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Let the workers end, without waiting for them (`__exit__` does): a worker that laid
        out a long brief takes a while to hand its memory back."""
        for pool in self.pools.values():
            pool.shutdown(wait=False)

    def render(self, briefs: list[Brief], last: bool = False) -> list[dict[str, bytes]]:
        """Every brief's files, in order, each format written by its own worker if it has one.
        `last`: the workers get no brief after these (see _render_packed)."""
        # Each brief is pickled once for all workers, without the provenance record (only this
        # process writes that).
        packed = [pickle.dumps(replace(b, extra={}), pickle.HIGHEST_PROTOCOL) for b in briefs] \
            if self.pools else []
        jobs = {(fmt, i): self.pools[fmt].submit(_render_packed, fmt, data, self.templates,
                                                  self.reference, last and i == len(packed) - 1)
                for fmt in sorted(self.formats, key=_LONGEST_FIRST.index) if fmt in self.pools
                for i, data in enumerate(packed)}
        if jobs:
            # A brief goes to a worker through a pipe fed by a thread of this process, a few
            # dozen kilobytes at a time: work in Python here (the provenance records) would hold
            # the interpreter lock between writes and keep the workers waiting for their brief.
            wait(jobs.values(), return_when=FIRST_COMPLETED)
        results = []
        for i, brief in enumerate(briefs):
            files = {".sources.json": provenance_json(brief)}
            for fmt in self.formats:
                job = jobs.get((fmt, i))
                files[f".{fmt}"] = job.result() if job else \
                    _render(fmt, brief, self.templates, self.reference)
            results.append(files)
        return results


def render(brief: Brief, formats: tuple, templates: Path | None) -> dict[str, bytes]:
    """One brief's files in this process: {".pdf": ..., ".docx": ..., ".sources.json": ...}."""
    return Writers(formats, templates).render([brief])[0]


def _warm(fmt: str, templates: Path | None) -> None:
    """Import a writer (and read the fonts it embeds) in a worker before there is work for it.

    Only imports and fonts: rendering a sample brief as well would pay the first-render costs
    early, but costs more CPU than it saves on a two-core machine where the main process is busy.
    """
    # The main process is the critical path (pydantic, the check, compose) while the workers
    # only get ready: they yield the cores to it. When there is work for them it is waiting
    # for them, so the lower priority costs them nothing then.
    os.nice(10)
    if fmt == "docx":
        from briefgen.writers.docx.oxml.fonts import font_files
        from briefgen.writers.docx.writer import open_ahead
        font_files(resources.fonts_dir(templates))  # the fonts it embeds, read once
        open_ahead(resources.reference_docx(templates))  # the document it starts from
    elif fmt == "html":
        import briefgen.writers.html.writer  # noqa: F401
        from briefgen.writers.html.fonts import load
        load(resources.fonts_dir(templates))  # the fonts it subsets, read once
    else:
        import briefgen.writers.pdf.layout  # noqa: F401
        from briefgen.writers.pdf.fonts import load_fonts
        try:
            load_fonts(resources.fonts_dir(templates))
        except BriefgenError:
            pass  # reported by the render itself, with the brief's context


# In a worker: what its last render made, kept (see _render_packed).
_KEPT: list = []


def _render_packed(fmt: str, data: bytes, templates: Path | None, reference: Path | None,
                   last: bool = False) -> bytes:
    """A worker's job: the bytes of a brief pickled by Writers.render. On its `last` job the
    worker keeps the brief and the PDF's layout instead of freeing them object by object
    before its bytes go back (a 5,000-line PDF: 0.1 s): the process ends right after, and a
    forked worker ends without freeing anything (os._exit)."""
    brief = pickle.loads(data)
    if not last:
        return _render(fmt, brief, templates, reference)
    _KEPT.append(brief)
    return _render(fmt, brief, templates, reference, _KEPT)


def _render(fmt: str, brief: Brief, templates: Path | None, reference: Path | None,
            keep: list | None = None) -> bytes:
    # A writer makes hundreds of thousands of small objects and no garbage cycle worth
    # collecting before it ends: each collection on the way would walk the whole growing heap
    # again (a 5,000-line PDF: 4.8-5.8 s with collections, 2.4-2.6 s without). The console
    # runs one-shot commands without the collector already; this is for `watch`, whose
    # process keeps it (save -> files at 500 lines, median 0.72 -> 0.66 s), and the library.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _write(fmt, brief, templates, reference, keep)
    finally:
        if enabled:
            gc.enable()


def _write(fmt: str, brief: Brief, templates: Path | None, reference: Path | None,
           keep: list | None = None) -> bytes:
    if fmt == "docx":
        from briefgen.writers.docx.writer import render_docx
        return render_docx(brief, reference, resources.fonts_dir(templates))
    if fmt == "html":
        from briefgen.writers.html.writer import render_html
        return render_html(brief, resources.fonts_dir(templates))
    from briefgen.writers.pdf.writer import render_pdf
    return render_pdf(brief, resources.fonts_dir(templates), keep)


def provenance_json(brief: Brief) -> bytes:
    """The provenance record: every line of the brief mapped to its facts, quotes and spans.

    One line of JSON per brief line: readable and diffable, yet written by the C encoder
    (an `indent` would make json fall back to its slow pure-Python encoder).
    """
    head = json.dumps({"brief": brief.name, "title": brief.title,
                       "created": brief.created.isoformat()}, ensure_ascii=False)[:-1]
    lines = ",\n".join(json.dumps(line, ensure_ascii=False)
                       for line in brief.extra.get("provenance", []))
    return f'{head}, "lines": [\n{lines}\n]}}\n'.encode()
