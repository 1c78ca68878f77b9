"""`briefgen impact ID`: everything resting on a source, fact or judgment, down to the
editions already sent that printed it and the readers who got them (from the send ledger)."""

from __future__ import annotations

import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path

from briefgen.desk import Desk
from briefgen.errors import BriefgenError, display_path
from briefgen.provenance.graph import Dependents, dependents, kind_of

DELIVERED = ("sent", "unknown", "sending")  # a reader may hold what these rows carried


@dataclass
class SentEdition:
    """An edition sent that printed what rests on the id, and who got it."""

    edition: str
    week: str
    title: str
    printed: list[str]  # the ids of this impact that the edition printed
    readers: list[dict] = field(default_factory=list)  # name, address, status, message id...


@dataclass
class Impact:
    what: Dependents
    status: str | None  # a source's status line, e.g. "withdrawn since 2019-12-20: ..."
    editions: list[SentEdition] = field(default_factory=list)
    ledger: str = ""  # the ledger's path as shown
    ledger_found: bool = False

    def as_json(self) -> dict:
        return {"id": self.what.id, "kind": self.what.kind, "status": self.status,
                "facts": self.what.facts, "retracted": self.what.retracted,
                "judgments": self.what.judgments, "briefs": self.what.briefs,
                "ledger": self.ledger if self.ledger_found else None,
                "editions": [asdict(e) for e in self.editions]}


def impact(desk: Desk, item: str) -> Impact:
    """Walk the graph from `item` in the desk's fact base and ledger; unknown id ->
    BriefgenError with did-you-mean."""
    from briefgen.distribution.ledger import Ledger
    from briefgen.factbase.base import load_factbase
    from briefgen.suggest import did_you_mean

    # errors do not stop it: a withdrawn source is one
    base = load_factbase(desk.require_facts(), settings_file=desk.settings_file)
    out = desk.out
    if kind_of(base, item) is None:
        known = [*base.sources, *base.facts, *base.judgments]
        hint = did_you_mean(item, known, "give the id of a source, fact or judgment")
        raise BriefgenError(f"unknown id '{_shown(item)}' (hint: {hint})")
    what = dependents(base, item)
    result = Impact(what, _status(base, item), ledger=display_path(Path(out) / "ledger.sqlite"))
    path = Path(out) / "ledger.sqlite"
    if not Ledger.exists(path):
        return result
    result.ledger_found = True
    wanted = set(what.facts) | set(what.judgments) | {item}
    with Ledger.open(path, readonly=True) as ledger:
        printed = ledger.editions_with(wanted)
        rows = [r for r in ledger.rows() if r.edition in printed and r.status in DELIVERED]
        titles = ledger.editions()
    order = [*base.facts, *base.judgments]
    for edition in sorted(printed, key=lambda e: (titles.get(e, ("",))[0], e)):
        week, title = titles.get(edition, ("", ""))
        latest = {r.reader: r for r in rows if r.edition == edition}  # one line per reader
        readers = [{"name": r.name, "address": r.address, "status": r.status,
                    "message_id": r.message_id, "updated": r.updated, "corrected": r.corrected}
                   for r in latest.values()]
        if readers:
            result.editions.append(SentEdition(edition, week, title,
                                           [i for i in order if i in printed[edition]], readers))
    return result


def _status(base, item: str) -> str | None:
    source = base.sources.get(item)
    if source is None or source.status is None:
        return None
    text = source.status + (f" since {source.status_date}" if source.status_date else "")
    return text + (f": {source.status_note}" if source.status_note else "")


def _shown(text: str) -> str:
    from briefgen.characters import escape
    return escape(text)


def lines(result: Impact) -> list[str]:
    """The impact as text for a terminal: one item per line, indented by level."""
    what = result.what
    out = [f"{what.kind} {what.id}" + (f" ({result.status})" if result.status else "")]
    retracted = set(what.retracted)
    for title, items in (("facts", what.facts), ("judgments", what.judgments),
                         ("briefs", what.briefs)):
        if title == "facts" and what.kind == "fact":
            continue
        out.append(f"{title} ({len(items)}):" if items else f"{title}: none")
        out += [f"  {i}" + (" (retracted)" if i in retracted else "") for i in items]
    if not result.ledger_found:
        out.append(f"editions sent: none (no ledger at {result.ledger}: no edition was sent)")
    elif not result.editions:
        out.append(f"editions sent: none (no edition in {result.ledger} printed them)")
    else:
        # a reader who got an edition and then its correction is one reader, under both
        readers = len({r["address"].lower() for e in result.editions for r in e.readers})
        out.append(f"editions sent ({len(result.editions)}, to {readers} "
                   f"reader{'s' * (readers != 1)}):")
        for e in result.editions:
            out += textwrap.wrap(f"{e.edition} printed {', '.join(e.printed)}", width=100,
                                 initial_indent="  ", subsequent_indent="      ",
                                 break_on_hyphens=False)
            for r in e.readers:
                who = f"{r['name']} <{r['address']}>" if r["name"] else r["address"]
                status = r["status"] + (" (corrected)" if r["corrected"] else "")
                out.append(f"    {_shown(who)}  {status}  {r['updated']}")
    return out
