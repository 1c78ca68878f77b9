"""Which facts go into which brief: theme briefs and the weekly brief, and their title blocks."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

from briefgen.compose.composer import Spec
from briefgen.errors import BriefgenError, UsageError
from briefgen.factbase.base import FactBase
from briefgen.factbase.models import Fact

KEY_POINTS = 4


def created_at(content_date: date) -> datetime:
    """The brief's timestamp: SOURCE_DATE_EPOCH when set, else a date taken from the content.

    Never the clock: the same inputs must give byte-identical files.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BriefgenError(f"SOURCE_DATE_EPOCH='{epoch}' is not a Unix timestamp") from None
    return datetime(content_date.year, content_date.month, content_date.day, tzinfo=timezone.utc)


def _order(facts) -> list[Fact]:
    return sorted(facts, key=lambda f: (f.date.first_day, f.date.precision != "day", f.id))


def theme_spec(base: FactBase, theme_id: str) -> Spec:
    theme = base.themes[theme_id]
    facts = _order(f for f in base.facts.values() if theme_id in f.themes)
    first, last = (facts[0].date.display(), facts[-1].date.display()) if facts else ("", "")
    span = f" · {first} – {last}" if facts and first != last else f" · {first}" if facts else ""
    count = f"{len(facts)} fact{'s' * (len(facts) != 1)}"
    as_of = max((f.date.first_day for f in facts), default=date(1970, 1, 1))
    return Spec(
        name=f"theme-{theme_id}", template="theme.md.j2", title=theme.title,
        subtitle=f"Theme brief · {count}{span}", subject=f"Libya: {theme.title}",
        keywords=("Libya", theme.title), created=created_at(as_of),
        themes=[(theme_id, facts)])


def parse_week(week: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week written YYYY-Www."""
    year, number = int(week[:4]), int(week.split("W")[1])
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise UsageError(f"{week} does not exist: {year} has no ISO week {number}") from None
    return monday, monday + timedelta(days=6)


def current_week(today: date | None = None) -> str:
    year, week, _ = (today or date.today()).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_spec(base: FactBase, week: str, themes: list[str] | None = None) -> Spec:
    """All themes (or `themes`), each with the facts dated (to the day) in the ISO week."""
    monday, sunday = parse_week(week)
    chosen = themes or list(base.themes)
    in_week = _order(f for f in base.facts.values()
                     if f.date.precision == "day" and monday <= f.date.first_day <= sunday
                     and any(t in chosen for t in f.themes))
    sections = [(t, [f for f in in_week if t in f.themes]) for t in chosen]
    # Key points: the best-graded developments of the week, shown in date order.
    ranked = sorted(in_week, key=lambda f: (f.credibility, _reliability(base, f), f.date.first_day))
    key_points = _order(ranked[:KEY_POINTS])
    period = f"{monday.day} {monday:%B} – {sunday.day} {sunday:%B %Y}"
    title_themes = ", ".join(base.themes[t].title for t in chosen) if themes else "all themes"
    return Spec(
        name=f"weekly-{week}", template="weekly.md.j2", title=f"Libya weekly brief — {week}",
        subtitle=f"{period} · {len(in_week)} development{'s' * (len(in_week) != 1)} · "
                 f"{title_themes}",
        subject=f"Libya: developments of {week}",
        keywords=("Libya", "weekly", week, *(base.themes[t].title for t in chosen)),
        created=created_at(sunday), themes=sections,
        context={"key_points": key_points, "week": week, "period": period})


def period_spec(base: FactBase, start: date, end: date, themes: list[str] | None = None) -> Spec:
    """Like the weekly brief, for the facts dated (to the day) from `start` to `end`."""
    spec = weekly_spec(base, current_week(start), themes)  # the same layout and key points
    chosen = themes or list(base.themes)
    in_period = _order(f for f in base.facts.values()
                       if f.date.precision == "day" and start <= f.date.first_day <= end
                       and any(t in chosen for t in f.themes))
    ranked = sorted(in_period,
                    key=lambda f: (f.credibility, _reliability(base, f), f.date.first_day))
    label = f"{start.isoformat()} – {end.isoformat()}"
    period = f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"
    count = f"{len(in_period)} development{'s' * (len(in_period) != 1)}"
    spec.name = f"period-{start.isoformat()}--{end.isoformat()}"
    spec.title = spec.title.replace(spec.context["week"], label)
    spec.subtitle = f"{period} · {count} · " + spec.subtitle.rsplit(" · ", 1)[-1]
    spec.subject = spec.subject.replace(spec.context["week"], label)
    spec.keywords = tuple(label if k == spec.context["week"] else k for k in spec.keywords)
    spec.created = created_at(end)
    spec.themes = [(t, [f for f in in_period if t in f.themes]) for t in chosen]
    spec.context = {**spec.context, "key_points": _order(ranked[:KEY_POINTS]), "week": label,
                    "period": period}
    return spec


def _reliability(base: FactBase, fact: Fact) -> str:
    return min(base.sources[c.source].reliability for c in fact.citations)
