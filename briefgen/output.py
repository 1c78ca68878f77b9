"""Render briefs with the writers and put the files in place atomically: all or nothing."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from briefgen.brief import Brief
from briefgen.errors import BriefgenError


def render(brief: Brief, formats: tuple, templates: Path) -> dict[str, bytes]:
    """Every requested format's bytes, plus the provenance record, keyed by file suffix."""
    files: dict[str, bytes] = {}
    if "docx" in formats:
        from briefgen.writers.docx import render_docx
        reference = templates / "reference.docx"
        files[".docx"] = render_docx(brief, reference if reference.is_file() else None)
    if "pdf" in formats:
        from briefgen.writers.pdf import render_pdf
        files[".pdf"] = render_pdf(brief, templates / "fonts")
    files[".sources.json"] = provenance_json(brief)
    return files


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
