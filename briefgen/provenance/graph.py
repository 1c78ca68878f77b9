"""What rests on what in a fact base: sources -> facts -> judgments, and the briefs that
print them. Pure functions over a loaded FactBase."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Dependents:
    """Everything resting on one id, transitively, in fact-base order."""

    id: str
    kind: str  # "source" | "fact" | "judgment"
    facts: list[str] = field(default_factory=list)
    judgments: list[str] = field(default_factory=list)
    retracted: list[str] = field(default_factory=list)  # of `facts`: kept, never printed
    briefs: list[str] = field(default_factory=list)  # theme-*, weekly-YYYY-Www


def kind_of(base, item: str) -> str | None:
    for kind, table in (("source", base.sources), ("fact", base.facts),
                        ("judgment", base.judgments)):
        if item in table:
            return kind
    return None


def dependents(base, item: str) -> Dependents:
    """Facts citing a source, judgments resting on facts or on judgments, and their briefs."""
    from briefgen.compose.specs import weeks_of

    kind = kind_of(base, item)
    facts: set[str] = set()
    if kind == "source":
        facts = {fid for fid, f in base.facts.items()
                 if any(c.source == item for c in f.citations)}
    elif kind == "fact":
        facts = {item}
    judgments: set[str] = {item} if kind == "judgment" else set()
    resting_on: dict[str, list[str]] = {}  # id -> the judgments naming it in based_on
    for jid, judgment in base.judgments.items():
        for basis in judgment.based_on:
            resting_on.setdefault(basis, []).append(jid)
    todo = [*facts, *judgments]
    while todo:  # each id once: linear in the base, whatever order the judgments come in
        for jid in resting_on.get(todo.pop(), ()):
            if jid not in judgments:
                judgments.add(jid)
                todo.append(jid)
    out = Dependents(item, kind or "")
    out.facts = [f for f in base.facts if f in facts]
    out.judgments = [j for j in base.judgments if j in judgments and j != item]
    out.retracted = [f for f in out.facts if base.facts[f].retracted]
    live = [base.facts[f] for f in out.facts if not base.facts[f].retracted]
    themes = {t for f in live for t in f.themes}
    themes |= {t for j in judgments for t in base.judgments[j].themes}
    out.briefs = [f"theme-{t}" for t in base.themes if t in themes]
    weeks = {w for f in live if f.date.precision == "day"
             for w in weeks_of(f.date.first_day, f.date.first_day)}
    for jid in judgments:  # a weekly brief opens with the judgments whose date meets its week
        date = base.judgments[jid].date
        weeks.update(weeks_of(date.first_day, date.last_day))
    out.briefs += [f"weekly-{w}" for w in sorted(weeks)]
    return out
