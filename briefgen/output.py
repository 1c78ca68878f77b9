"""Render briefs with the writers and put the files in place atomically: all or nothing."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from briefgen.brief import Brief
from briefgen.errors import BriefgenError


class Renderer:
    """Renders briefs in the requested formats, each brief to {suffix: bytes}.

    With Word and PDF both asked for on a machine with two cores, Word is written in a forked
    worker while this process writes the PDF. Enter the context early: the worker imports
    python-docx while this process is still loading the fact base.
    """

    def __init__(self, formats: tuple, templates: Path):
        self.formats, self.templates = formats, templates
        reference = templates / "reference.docx"
        self.reference = reference if reference.is_file() else None
        self.pool = None
        self.parallel = ("docx" in formats and "pdf" in formats and hasattr(os, "fork")
                         and (os.cpu_count() or 1) > 1)

    def __enter__(self) -> Renderer:
        if self.parallel:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self.pool.submit(_import_docx_writer)
        return self

    def __exit__(self, *exc) -> None:
        if self.pool:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def render(self, briefs: list[Brief]) -> list[dict[str, bytes]]:
        """Every brief's files, in order; Word jobs are queued first so both cores stay busy."""
        docx = {}
        if "docx" in self.formats and self.pool:
            docx = {i: self.pool.submit(_render_docx, b, self.reference) for i, b in enumerate(briefs)}
        results = []
        for i, brief in enumerate(briefs):
            files: dict[str, bytes] = {}
            if "pdf" in self.formats:
                from briefgen.writers.pdf import render_pdf
                files[".pdf"] = render_pdf(brief, self.templates / "fonts")
            files[".sources.json"] = provenance_json(brief)
            results.append(files)
        for i, brief in enumerate(briefs):
            if "docx" in self.formats:
                results[i][".docx"] = docx[i].result() if docx else \
                    _render_docx(brief, self.reference)
        return results


def render(brief: Brief, formats: tuple, templates: Path) -> dict[str, bytes]:
    """One brief's files in this process: {".pdf": ..., ".docx": ..., ".sources.json": ...}."""
    return Renderer(formats, templates).render([brief])[0]


def _import_docx_writer() -> None:
    import docx  # noqa: F401 - warms the worker while the parent loads the fact base

    import briefgen.writers.docx  # noqa: F401


def _render_docx(brief: Brief, reference: Path | None) -> bytes:
    from briefgen.writers.docx import render_docx
    return render_docx(brief, reference)


def provenance_json(brief: Brief) -> bytes:
    """The provenance record: every line of the brief mapped to its facts, quotes and spans."""
    record = {"brief": brief.name, "title": brief.title, "created": brief.created.isoformat(),
              "lines": brief.extra.get("provenance", [])}
    return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_atomically(files: dict[Path, bytes]) -> list[Path]:
    """Write every file to a temporary name, then rename them all into place.

    A failure before the renames leaves no new or truncated file behind.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
        for tmp, path in staged:
            os.replace(tmp, path)
    except OSError as e:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise BriefgenError(f"cannot write {e.filename or 'output'}: {e.strerror}") from None
    return [path for _, path in staged]
