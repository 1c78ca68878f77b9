"""`briefgen ledger`: what was sent to whom, as a table that fits 100 columns, or as JSON."""

from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path

from briefgen.distribution.ledger import Ledger, Row
from briefgen.distribution.readers import printable

WIDTH = 100


def read(out: Path, week: str | None = None, reader: str | None = None) -> tuple[list[Row], Path]:
    """The ledger's rows (none when there is no ledger yet); never changes the file."""
    path = Path(out) / "ledger.sqlite"
    if not path.is_file():
        return [], path
    with Ledger.open(path, readonly=True) as ledger:
        return ledger.rows(week, reader), path


def table(rows: list[Row], width: int = WIDTH) -> str:
    """One row per message: reader (name and address), week, status, tries, time, edition,
    error; long cells wrap inside their column, so the table never exceeds `width`."""
    from rich.box import SIMPLE_HEAD
    from rich.console import Console
    from rich.table import Table

    grid = Table(box=SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=True,
                 padding=(0, 1))
    for name, opts in (("reader", {"ratio": 3, "min_width": 24}), ("week", {"no_wrap": True}),
                       ("status", {"no_wrap": True}), ("tries", {"justify": "right"}),
                       ("time (UTC)", {"no_wrap": True}), ("edition", {"no_wrap": True}),
                       ("error", {"ratio": 2})):
        grid.add_column(name, overflow="fold", **opts)
    for r in rows:
        who = (f"{printable(r.name)}\n<{printable(r.address)}>" if r.name
               else printable(r.address))
        status = r.status + ("\n(corrected)" if r.corrected else "")
        grid.add_row(who, r.week, status, str(r.attempts),
                     r.updated.replace("T", " ")[:16], r.edition.rsplit("-", 1)[-1],
                     printable(r.error or ""))
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False,
            emoji=False, markup=False).print(grid)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    return "\n".join(line for line in lines if line) + "\n"


def as_json(rows: list[Row]) -> str:
    import json
    return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n"


def counts(rows: list[Row]) -> str:
    from collections import Counter

    n = Counter(r.status for r in rows)
    return ", ".join(f"{k} {n[k]}" for k in ("sent", "sending", "unknown", "deferred", "failed")
                     if n[k]) + f" ({len(rows)} message{'s' * (len(rows) != 1)})"
