"""Checks of meaning that need the whole base: judgments (ICD 203) and the status of sources.

Decisions documented in docs/judgments.md:
- a fact citing a `withdrawn` or `discredited` source is an error unless the fact is
  `retracted: true`; a `disputed` source is a warning on every live fact that cites it;
- a judgment resting on a retracted fact is a warning (review it), and an error when every
  fact or judgment it rests on directly is retracted: nothing is left to carry it;
- grading and source-count warnings look through judgments down to the live facts beneath.
"""

from __future__ import annotations

from briefgen.factbase.history import rank
from briefgen.factbase.yardsticks import check_form
from briefgen.suggest import did_you_mean

WEAK_RELIABILITY = ("E", "F")
WEAK_CREDIBILITY = (5, 6)
LIKELY = rank("likely")  # "very likely", "highly likely" and above claim more than this
RETRACTING = ("withdrawn", "discredited")


def check_sources(loader) -> None:
    """status_date and status_note only with a status; withdrawn, discredited, disputed use."""
    base = loader.base
    for sid, source in base.sources.items():
        if source.status is None:
            file, path = loader.paths[("sources", sid)]
            for key in ("status_date", "status_note"):
                if getattr(source, key) is not None:
                    loader.report(file, loader.docs[file].pos(path + (key,), key=True),
                                  f"{key} without a status", id=sid, field=key,
                                  hint="add 'status: withdrawn', 'discredited' or 'disputed', "
                                       f"or remove {key}")
    for fid, fact in base.facts.items():
        file, path = loader.paths[("facts", fid)]
        for n, citation in enumerate(fact.citations):
            source = base.sources.get(citation.source)
            if source is None or source.status is None or (fact.retracted and
                                                          source.status in RETRACTING):
                continue
            pos = loader.docs[file].pos(path + ("citations", n, "source"))
            field = f"citations[{n}].source"
            if source.status in RETRACTING:
                loader.report(file, pos, f"cites source '{source.id}', which is "
                              f"{_status(source)}", id=fid, field=field,
                              hint="mark the fact 'retracted: true' to keep it for the record, "
                                   "or cite another source")
            elif not fact.retracted:
                loader.report(file, pos, f"rests on source '{source.id}', which is "
                              f"{_status(source)}", id=fid, field=field, severity="warning",
                              hint="readers are told in the note; corroborate it with "
                                   "another source")


def _status(source) -> str:
    text = source.status + (f" since {source.status_date}" if source.status_date else "")
    return text + (f": {source.status_note}" if source.status_note else "")


def check_judgments(loader, themed: set[str]) -> None:
    """Themes, bases, cycles, retracted bases, the form of each judgment (yardstick terms,
    revisions, horizon) and the two ICD 203 warnings."""
    base = loader.base
    for jid, judgment in base.judgments.items():
        file, path = loader.paths[("judgments", jid)]
        doc = loader.docs[file]
        loader.statement_too_long(file, doc, path, jid, judgment.statement)
        if jid in base.facts:
            other, _ = loader.paths[("facts", jid)]
            line, col = loader.id_pos[("facts", jid)]
            loader.report(file, loader.id_pos[("judgments", jid)],
                          f"judgment id is also a fact id (at {other}:{line}:{col})", id=jid,
                          field="id", hint="based_on names facts and judgments alike: "
                                           "rename one")
        for i, theme in enumerate(judgment.themes):
            themed.add(theme)
            if theme not in base.themes and ("themes", theme) not in loader.invalid:
                loader.report(file, doc.pos(path + ("themes", i)), f"unknown theme '{theme}'",
                              id=jid, field=f"themes[{i}]",
                              hint=did_you_mean(theme, base.themes, "define it under 'themes:'"))
        retracted = []
        for i, basis in enumerate(judgment.based_on):
            pos = doc.pos(path + ("based_on", i))
            if basis == jid:
                loader.report(file, pos, "a judgment cannot rest on itself", id=jid,
                              field=f"based_on[{i}]", hint="name the facts it rests on")
            elif basis in base.facts:
                if base.facts[basis].retracted:
                    retracted.append((i, basis))
            elif basis not in base.judgments and ("facts", basis) not in loader.invalid \
                    and ("judgments", basis) not in loader.invalid:
                loader.report(file, pos, f"unknown fact or judgment '{basis}'", id=jid,
                              field=f"based_on[{i}]",
                              hint=did_you_mean(basis, [*base.facts, *base.judgments],
                                                "based_on lists ids of facts and judgments"))
        if retracted and len(retracted) == len(judgment.based_on):
            loader.report(file, doc.pos(path + ("based_on",)), "rests only on retracted facts ("
                          + ", ".join(b for _, b in retracted) + ")", id=jid, field="based_on",
                          hint="withdraw the judgment or rest it on other facts")
        else:
            for i, basis in retracted:
                loader.report(file, doc.pos(path + ("based_on", i)),
                              f"rests on retracted fact '{basis}'", id=jid,
                              field=f"based_on[{i}]", severity="warning",
                              hint=f"review the judgment and remove '{basis}' from based_on")
    _check_cycles(loader)
    _check_grounds(loader)
    check_form(loader)


def _check_cycles(loader) -> None:
    """Each cycle of judgments resting on one another, once, at its first judgment.

    One depth-first walk over judgment -> judgment edges (linear in the base): an edge back
    to a judgment still on the trail closes a cycle.
    """
    base = loader.base
    order = {jid: n for n, jid in enumerate(base.judgments)}
    done: set[str] = set()
    reported: set[frozenset] = set()
    for start in base.judgments:
        if start in done:
            continue
        stack = [(start, iter(base.judgments[start].based_on))]
        trail, on_trail = [start], {start}
        while stack:
            node, edges = stack[-1]
            nxt = next(edges, None)
            if nxt is None:
                stack.pop()
                on_trail.discard(trail.pop())
                done.add(node)
                continue
            if nxt == node or nxt not in base.judgments or nxt in done:
                continue  # self-reference is reported on its own; facts end a path
            if nxt in on_trail:
                cycle = trail[trail.index(nxt):]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    k = cycle.index(min(cycle, key=order.get))
                    _report_cycle(loader, cycle[k:] + cycle[:k])
                continue
            stack.append((nxt, iter(base.judgments[nxt].based_on)))
            trail.append(nxt)
            on_trail.add(nxt)


def _report_cycle(loader, cycle: list[str]) -> None:
    jid, following = cycle[0], cycle[1 % len(cycle)]
    file, path = loader.paths[("judgments", jid)]
    i = loader.base.judgments[jid].based_on.index(following)
    loader.report(file, loader.docs[file].pos(path + ("based_on", i)),
                  "circular basis: " + " -> ".join(cycle + [jid]), id=jid,
                  field=f"based_on[{i}]",
                  hint="one of these judgments must rest on facts, not on the others")


def grounds(base, jid: str) -> list[str]:
    """The live (not retracted) facts a judgment rests on, through other judgments: depth
    first in `based_on` order, each fact once where it is first met.

    Each judgment's answer is built once per base from the answers of the judgments it rests
    on, so a chain of n judgments costs n steps, not n²/2. A judgment on a circle of
    judgments (an error `check` reports) is walked on its own instead.
    """
    table = base.grounds_table
    if jid not in table:
        _fill(base, jid, table)
    found = table[jid]
    return list(found if found is not None else _walk(base, jid, table))


def _fill(base, start: str, table: dict) -> None:
    """Answers for `start` and every judgment beneath it, each after those it rests on
    (None for a judgment that reaches a judgment still open: a circle)."""
    judgments = base.judgments
    open_, on_circle = {start}, set()
    stack = [(start, iter(judgments[start].based_on))]
    while stack:
        node, bases = stack[-1]
        for basis in bases:
            if basis not in judgments or basis in table:
                continue
            if basis in open_:
                on_circle.add(node)
                continue
            open_.add(basis)
            stack.append((basis, iter(judgments[basis].based_on)))
            break
        else:
            stack.pop()
            open_.discard(node)
            below = [table.get(b) for b in judgments[node].based_on if b in judgments]
            if node in on_circle or None in below:
                table[node] = None
            else:
                table[node] = _joined(base, judgments[node].based_on, table)


def _joined(base, based_on: list[str], table: dict) -> tuple[str, ...]:
    if len(based_on) == 1 and based_on[0] in base.judgments:
        return table[based_on[0]]  # shared, not copied: a chain stays linear
    found: dict[str, None] = {}
    for basis in based_on:
        if basis in base.facts:
            if not base.facts[basis].retracted:
                found.setdefault(basis)
        elif basis in base.judgments:
            found.update(dict.fromkeys(table[basis]))
    return tuple(found)


def _walk(base, jid: str, table: dict) -> tuple[str, ...]:
    """The same order for a judgment on a circle: a walk that takes the answers of the
    judgments beneath it that are on none."""
    found: dict[str, None] = {}
    seen, stack = {jid}, [iter(base.judgments[jid].based_on)]
    while stack:
        basis = next(stack[-1], None)
        if basis is None:
            stack.pop()
        elif basis in base.facts:
            if not base.facts[basis].retracted:
                found.setdefault(basis)
        elif basis in base.judgments and basis not in seen:
            seen.add(basis)
            if table.get(basis) is not None:
                found.update(dict.fromkeys(table[basis]))
            else:
                stack.append(iter(base.judgments[basis].based_on))
    return tuple(found)


def _weak(base, fact) -> bool:
    reliabilities = [base.sources[c.source].reliability for c in fact.citations
                     if c.source in base.sources]
    return fact.credibility in WEAK_CREDIBILITY or (bool(reliabilities) and all(
        r in WEAK_RELIABILITY for r in reliabilities))


def _check_grounds(loader) -> None:
    base = loader.base
    for jid, judgment in base.judgments.items():
        facts = grounds(base, jid)
        if not facts:
            continue
        file, path = loader.paths[("judgments", jid)]
        doc = loader.docs[file]
        if judgment.confidence == "high" and all(_weak(base, base.facts[f]) for f in facts):
            loader.report(file, doc.pos(path + ("confidence",)),
                          "high confidence, but every fact it rests on is graded E/F or 5-6 ("
                          + ", ".join(facts) + ")", id=jid, field="confidence",
                          severity="warning",
                          hint="lower the confidence or rest it on better-graded facts")
        sources = {c.source for f in facts for c in base.facts[f].citations}
        if rank(judgment.likelihood) > LIKELY and len(sources) == 1:
            loader.report(file, doc.pos(path + ("likelihood",)),
                          f"'{judgment.likelihood}' rests on one source only "
                          f"('{next(iter(sources))}')", id=jid, field="likelihood",
                          severity="warning",
                          hint="corroborate it with another source, or say 'likely' at most")
