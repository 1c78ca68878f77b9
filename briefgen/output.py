"""Render briefs with the writers and put the files in place atomically: all or nothing."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from briefgen import resources
from briefgen.compose.model import Brief
from briefgen.errors import BriefgenError, UsageError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


class Renderer:
    """Renders briefs in the requested formats, each brief to {suffix: bytes}.

    On a machine with two cores each format gets a forked worker of its own. Enter the context
    early: the workers import their writer (python-docx; reportlab and the fonts) while this
    process is still loading the fact base, then write the two formats side by side.
    """

    def __init__(self, formats: tuple, templates: Path | None):
        self.formats, self.templates = formats, templates
        self.reference = resources.reference_docx(templates)
        self.pools: dict = {}
        self.parallel = hasattr(os, "fork") and (os.cpu_count() or 1) > 1

    def __enter__(self) -> Renderer:
        if self.parallel:
            from briefgen.workers import fork_pool
            for fmt in self.formats:
                self.pools[fmt] = fork_pool()
                self.pools[fmt].submit(_warm, fmt, self.templates)
        return self

    def __exit__(self, *exc) -> None:
        for pool in self.pools.values():
            pool.shutdown(wait=True, cancel_futures=True)

    def render(self, briefs: list[Brief]) -> list[dict[str, bytes]]:
        """Every brief's files, in order, each format written by its own worker if it has one."""
        # Each brief is pickled once for all workers, without the provenance record (only this
        # process writes that): a 5,000-line brief is ~2.7 MB and ~0.1 s to pickle.
        packed = [pickle.dumps(replace(b, extra={}), pickle.HIGHEST_PROTOCOL) for b in briefs] \
            if self.pools else []
        jobs = {(fmt, i): self.pools[fmt].submit(_render_packed, fmt, data, self.templates,
                                                  self.reference)
                for fmt in self.formats if fmt in self.pools for i, data in enumerate(packed)}
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
    return Renderer(formats, templates).render([brief])[0]


def _warm(fmt: str, templates: Path | None) -> None:
    """Import a writer (and load the PDF fonts) in a worker before there is work for it.

    Only imports and fonts: rendering a sample brief as well would pay the first-render costs
    early, but costs more CPU than it saves on a two-core machine where the main process is busy.
    """
    # The main process is the critical path (pydantic, the check, compose) while the workers
    # only get ready: they yield the cores to it. When there is work for them it is waiting
    # for them, so the lower priority costs them nothing then.
    os.nice(10)
    if fmt == "docx":
        import docx  # noqa: F401

        import briefgen.writers.docx.writer  # noqa: F401
    else:
        import briefgen.writers.pdf.layout  # noqa: F401
        from briefgen.writers.pdf.fonts import load_fonts
        try:
            load_fonts(resources.fonts_dir(templates))
        except BriefgenError:
            pass  # reported by the render itself, with the brief's context


def _render_packed(fmt: str, data: bytes, templates: Path | None, reference: Path | None) -> bytes:
    return _render(fmt, pickle.loads(data), templates, reference)


def _render(fmt: str, brief: Brief, templates: Path | None, reference: Path | None) -> bytes:
    if fmt == "docx":
        from briefgen.writers.docx.writer import render_docx
        return render_docx(brief, reference)
    from briefgen.writers.pdf.writer import render_pdf
    return render_pdf(brief, resources.fonts_dir(templates))


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


STAGING = ".briefgen-staging-"  # a run's staging folder, inside the output folder
NEW = ".briefgen-new-"  # the same before it is locked and named (for microseconds)
MANIFEST = "MANIFEST"  # in a staging folder: every file is staged, the moves may begin


def check_out(out: Path) -> None:
    """Refuse, before any work, an output folder that cannot be one (a usage error)."""
    out = Path(out)
    if out.is_symlink() and not out.exists():
        raise UsageError(f"--out '{out}' is a link to '{os.readlink(out)}', which does not "
                         "exist (hint: create that folder, or pass another --out)")
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                what = f"'{out}'" if folder == out else f"'{out}': '{folder}'"
                raise UsageError(f"--out {what} is a file, not a folder "
                                 "(hint: pass a folder, e.g. --out out)")
            return


def write_atomically(files: dict[Path, bytes]) -> list[Path]:
    """Put every file in place, all of them or none: a run's outputs never mix with another's.

    The files are written into a staging folder next to them; once all are there, a manifest
    says so and they are moved into place. A run killed before the manifest leaves only the
    staging folder, which the next run removes; one killed while moving is finished by the
    next run (a lock tells a dead run's folder from a running one's).
    """
    if not files:
        return []
    root = Path(os.path.commonpath([os.path.abspath(p.parent) for p in files]))
    staging = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        recover(root)
        staging = _Staging(root)
        for i, (path, data) in enumerate(files.items()):
            staging.add(str(i), os.path.relpath(os.path.abspath(path), root), data)
        staging.commit()
    except OSError as e:
        raise BriefgenError(f"cannot write {e.filename or 'output'}: {e.strerror}") from None
    finally:
        if staging is not None:
            staging.close()
    return list(files)


def recover(root: Path) -> None:
    """Finish or remove the staging folders of runs that were killed (not of running ones)."""
    import time

    for folder in [*root.glob(STAGING + "*"), *root.glob(NEW + "*")]:
        try:
            if folder.name.startswith(NEW) and folder.stat().st_mtime > time.time() - 60:
                continue  # a run is about to lock it
            lock = _lock(folder, block=False)
        except OSError:
            continue  # a running briefgen holds it (or it is not ours to touch)
        try:
            manifest = folder / MANIFEST
            if manifest.is_file():  # killed while moving files into place: finish the moves
                for staged, final in json.loads(manifest.read_text(encoding="utf-8")):
                    if (folder / staged).exists() and ".." not in Path(final).parts:
                        os.replace(folder / staged, root / final)
        except (OSError, ValueError):
            pass  # unreadable: the new run writes its own files anyway
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            os.close(lock)


class _Staging:
    """A run's staging folder, locked (so that others leave it alone) until it is removed."""

    def __init__(self, root: Path):
        self.root = root
        # Locked before it gets the name `recover` looks for: never taken for a dead run's.
        new = tempfile.mkdtemp(prefix=NEW, dir=root)
        self.lock = _lock(Path(new), block=True)
        self.folder = root / (STAGING + Path(new).name.removeprefix(NEW))
        os.rename(new, self.folder)
        self.entries: list[tuple[str, str]] = []
        self.moving = False  # between the manifest and the last move

    def add(self, name: str, final: str, data: bytes) -> None:
        (self.root / final).parent.mkdir(parents=True, exist_ok=True)
        with open(self.folder / name, "wb") as f:
            f.write(data)
        os.chmod(self.folder / name, 0o644)
        self.entries.append((name, final))

    def commit(self) -> None:
        manifest = self.folder / MANIFEST
        (self.folder / "manifest.tmp").write_text(json.dumps(self.entries), encoding="utf-8")
        os.replace(self.folder / "manifest.tmp", manifest)  # from here on, the moves will happen
        self.moving = True
        for name, final in self.entries:
            os.replace(self.folder / name, self.root / final)
        self.moving = False

    def close(self) -> None:
        if not self.moving:  # else a move failed: the next run finishes the others
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.lock >= 0:
            os.close(self.lock)


def _lock(folder: Path, block: bool) -> int:
    """An open descriptor of `folder` holding an exclusive lock; the system drops the lock
    when the process ends, however it ends. OSError when another process holds it."""
    if fcntl is None:  # no locks (Windows): leave other runs' folders alone
        if not block:
            raise OSError("cannot lock")
        return -1
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        raise
    return fd
