"""`briefgen list`: what the fact base holds, as rows for a table or for JSON."""

from __future__ import annotations

from briefgen.factbase.base import FactBase

COLUMNS = {  # what -> (key, heading) shown in the table; JSON rows carry every key
    "themes": (("id", "id"), ("title", "title"), ("facts", "facts"), ("first", "first"),
               ("last", "last")),
    "sources": (("id", "id"), ("publisher", "publisher"), ("published", "published"),
                ("reliability", "rel."), ("status_shown", "status"), ("facts", "facts"),
                ("title", "title")),
    "facts": (("id", "id"), ("date", "date"), ("grading", "grade"), ("kind", "kind"),
              ("themes", "themes"), ("statement", "statement")),
}


def rows(base: FactBase, what: str, themes: list[str] | None = None,
         week: str | None = None) -> list[dict]:
    """One dict per theme, source or fact, in file order, limited to `themes` and `week`."""
    facts = list(base.facts.values())
    if themes:
        facts = [f for f in facts if any(t in themes for t in f.themes)]
    if week:
        from briefgen.compose.specs import parse_week

        monday, sunday = parse_week(week)
        facts = [f for f in facts if f.date.precision == "day"
                 and monday <= f.date.first_day <= sunday]
    if what == "facts":
        return [_fact(base, f) for f in facts]
    if what == "themes":
        out = []
        for tid, theme in base.themes.items():
            if themes and tid not in themes:
                continue
            mine = [f for f in facts if tid in f.themes]
            days = sorted(str(f.date) for f in mine)
            out.append({"id": tid, "title": theme.title, "summary": theme.summary,
                        "facts": len(mine), "first": days[0] if days else None,
                        "last": days[-1] if days else None})
        return out
    cited: dict[str, int] = {}
    for f in facts:
        for sid in dict.fromkeys(c.source for c in f.citations):
            cited[sid] = cited.get(sid, 0) + 1
    def shares(sid: str) -> list[str]:  # one line of reporting: the same text (corroboration)
        return base.lines.members(sid) if base.lines is not None else []

    return [{"id": sid, "publisher": s.publisher, "title": s.title, "author": s.author,
             "published": str(s.published), "reliability": s.reliability, "url": s.url,
             "file": s.file, "facts": cited.get(sid, 0), "status": s.status,
             "status_date": str(s.status_date) if s.status_date else None,
             "status_note": s.status_note, "shares_text_with": shares(sid)}
            for sid, s in base.sources.items() if sid in cited or not (themes or week)]


def _fact(base: FactBase, fact) -> dict:
    reliability = min((base.sources[c.source].reliability for c in fact.citations
                       if c.source in base.sources), default="F")
    return {"id": fact.id, "date": str(fact.date), "kind": fact.kind,
            "credibility": fact.credibility, "grading": f"{reliability}{fact.credibility}",
            "themes": list(fact.themes), "statement": fact.statement,
            "sources": [c.source for c in fact.citations]}


def table(items: list[dict], what: str, file) -> None:
    """A readable table of the rows (text is shown as text, never as rich markup)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    grid = Table(box=None, header_style="bold", pad_edge=False)
    for _, heading in COLUMNS[what]:
        grid.add_column(heading, overflow="fold")
    for item in items:
        grid.add_row(*(Text(_cell(_shown(item, key))) for key, _ in COLUMNS[what]))
    console = Console(file=file, width=None if file.isatty() else 160, soft_wrap=False)
    console.print(grid)
    console.print(Text(f"{len(items)} {what if len(items) != 1 else what[:-1]}"))


def _shown(item: dict, key: str):
    """A row's value for the table: a source's status with its date ("withdrawn 2019-12-20")."""
    if key == "status_shown":
        return " ".join(v for v in (item["status"], item["status_date"]) if v)
    return item[key]


def _cell(value) -> str:
    if value is None:
        return ""
    text = ", ".join(value) if isinstance(value, list) else str(value)
    # one line per row, control characters made visible (never sent to the terminal)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
