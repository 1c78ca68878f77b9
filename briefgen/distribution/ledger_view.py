"""`briefgen ledger`: what was sent to whom, as a table that fits 100 columns, or as JSON."""

from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path

from briefgen.distribution.ledger import Ledger, Row
from briefgen.characters import escape

WIDTH = 100
READER = 38  # the widest reader column that leaves room for the others in WIDTH


def read(out: Path, week: str | None = None, reader: str | None = None) -> tuple[list[Row], Path]:
    """The ledger's rows; never changes the file. No ledger there is an error: in the wrong
    folder, "nothing recorded" would read as "nothing was sent"."""
    from briefgen.errors import BriefgenError, display_path

    path = Path(out) / "ledger.sqlite"
    if not Ledger.exists(path):
        raise BriefgenError(f"no ledger at {display_path(path)} (hint: run in the desk folder, "
                            "or pass --out DIR; the first send that is not a dry run creates "
                            "it)")
    with Ledger.open(path, readonly=True) as ledger:
        return ledger.rows(week, reader), path


def table(rows: list[Row], width: int = WIDTH) -> str:
    """One row per message: reader (name over address), week, status, tries, time, edition;
    a message's last error is a numbered note under the table (`failed [1]`), so that no
    column is squeezed: an address never breaks inside the table, which stays within `width`."""
    import textwrap

    from rich.box import SIMPLE_HEAD
    from rich.console import Console
    from rich.table import Table

    grid = Table(box=SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1),
                 collapse_padding=True)
    # As wide as the longest name or address (a longer one than READER folds, never here).
    who = max((len(line) for r in rows for line in _who(r).splitlines()), default=0)
    grid.add_column("reader", width=max(min(who, READER), len("reader")), overflow="fold")
    for name in ("week", "status", "tries", "time (UTC)", "edition"):
        grid.add_column(name, no_wrap=True, justify="right" if name == "tries" else "left")
    notes: list[str] = []
    for r in rows:
        status = r.status
        if r.error:
            notes.append(escape(r.error))
            status += f" [{len(notes)}]"
        status += "\n(corrected)" if r.corrected else ""
        grid.add_row(_who(r), r.week, status, str(r.attempts),
                     r.updated.replace("T", " ")[:16], r.edition.rsplit("-", 1)[-1])
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False,
            emoji=False, markup=False).print(grid)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    lines = [line for line in lines if line]
    for n, note in enumerate(notes, 1):
        lines += textwrap.wrap(f"[{n}] {note}", width=width, subsequent_indent=" " * 4,
                               break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) + "\n"


def _who(r: Row) -> str:
    return f"{escape(r.name)}\n<{escape(r.address)}>" if r.name else escape(r.address)


def as_json(rows: list[Row]) -> str:
    import json
    return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n"


def counts(rows: list[Row]) -> str:
    from collections import Counter

    n = Counter(r.status for r in rows)
    return ", ".join(f"{k} {n[k]}" for k in ("sent", "sending", "unknown", "deferred", "failed")
                     if n[k]) + f" ({len(rows)} message{'s' * (len(rows) != 1)})"
