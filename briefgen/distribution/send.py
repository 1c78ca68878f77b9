"""`briefgen send`: compose each distinct edition once, plan who gets what, render, deliver.

An *edition* is the week plus the content hash of a reader's brief (see message.content_hash);
planning rules are in distribution.plan, SMTP and retries in distribution.deliver. Nothing here
prints: `run` returns a SendReport, and the command line says what it means.
Exit code 0 only when every reader has this week's current edition.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from briefgen.desk import Desk
from briefgen.distribution.plan import Edition, Item, brief_lines, changes, decide, reasons
from briefgen.errors import BriefgenError, display_path

LEDGER = "ledger.sqlite"
ORDER = ("sent", "written", "already sent", "nothing new", "changed", "unknown", "deferred",
         "failed", "not sent")  # the first four leave a reader served


class SendError(BriefgenError):
    """Not every reader was served: one line per problem, then the summary line."""

    def __init__(self, problems: list[str], summary: str, exit_code: int = 1):
        self.problems, self.summary, self.exit_code = problems, summary, exit_code
        super().__init__(summary)

    def lines(self) -> list[str]:
        return [f"error: {p}" for p in self.problems] + [self.summary]


@dataclass
class SendReport:
    total: int
    counts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    built: int = 0  # briefs rendered (PDF/Word), not messages
    connections: int = 0  # SMTP connections opened
    outbox: Path | None = None
    interrupted: bool = False

    @property
    def served(self) -> bool:
        return not self.problems and all(self.counts[k] == 0 for k in ORDER[4:])

    def line(self) -> str:
        parts = []
        for key in ORDER:
            n = self.counts[key]
            if key == "sent" and self.outbox is None:
                parts.append(f"sent {n}")
            elif key == "written" and self.outbox is not None:
                parts.append(f"wrote {n} message{'s' * (n != 1)} to {display_path(self.outbox)}")
            elif n and key not in ("sent", "written"):
                parts.append(f"{key} {n}")
        tail = f"of {self.total} reader{'s' * (self.total != 1)}"
        if self.outbox is not None:
            tail += "; dry run, nothing sent"
        return f"{', '.join(parts)} ({tail})"

    def raise_for_problems(self) -> None:
        """SendError (exit 1, or 130 when interrupted) unless every reader was served."""
        if self.interrupted:
            raise SendError(self.problems + ["interrupted; re-run to send the rest"],
                            self.line(), exit_code=130)
        if not self.served:
            raise SendError(self.problems, self.line())


def run(desk: Desk, base, week: str, *, dry_run: bool = False, format: tuple = ("pdf",),
        resend_changed: bool = False, retry_unknown: bool = False, allow_empty: bool = False,
        settings=None, progress: Callable[[int, int], None] | None = None) -> SendReport:
    """Plan, build and send (or write) the week's editions to the desk's readers; `base` is
    the desk's fact base, loaded and checked. The counts and problems come back in a report."""
    from briefgen.compose.specs import parse_week
    from briefgen.distribution.deliver import deliver, write_outbox
    from briefgen.distribution.email_templates import EmailTemplates
    from briefgen.distribution.ledger import Ledger
    from briefgen.distribution.readers import load_readers
    from briefgen.distribution.settings import load_mail_settings

    parse_week(week)  # a week that does not exist is a usage error before anything else
    settings = settings or load_mail_settings(dry_run=dry_run)
    reader_list = load_readers(desk.readers, base.themes)
    desk_table = {k: v for k, v in base.settings.desk.model_dump().items() if isinstance(v, str)}
    words = MailWords(EmailTemplates(desk.templates), desk_table, reasons(base))
    ledger_path = Path(desk.out) / LEDGER
    if dry_run:
        ledger = Ledger.open(ledger_path, readonly=True) if Ledger.exists(ledger_path) else None
    else:
        ledger = Ledger.open(ledger_path)
    try:
        history = ledger.by_reader(week) if ledger else {}
        editions = compose_editions(desk, base, week, reader_list)
        items = [decide(r, editions[r.themes], history.get(r.key, []), settings.sender,
                        resend_changed=resend_changed, retry_unknown=retry_unknown,
                        allow_empty=allow_empty)
                 for r in reader_list]
        report = SendReport(total=len(items))
        _count_skipped(items, report)
        todo = [item for item in items if item.action == "send"]
        for item in todo:
            if item.corrected and item.since and ledger is not None:
                item.changes = changes(ledger.lines(item.since), item.edition.lines,
                                       words.reasons)
        render_editions(todo, desk, format, words, report)

        def message(item: Item):
            return words.message(item, settings.sender)

        if dry_run:
            write_outbox(todo, Path(desk.out) / "outbox" / week, message, report)
        else:
            deliver(todo, ledger, week, settings, message, report, progress)
    finally:
        if ledger:
            ledger.close()
    return report


def compose_editions(desk: Desk, base, week: str, readers) -> dict:
    """Each distinct theme set's brief, composed once: themes -> Edition."""
    from briefgen.distribution.message import content_hash, summarize
    from briefgen.pipeline import compose, weekly_brief

    editions: dict = {}
    for reader in readers:
        if reader.themes not in editions:
            spec = weekly_brief(base, week, themes=list(reader.themes) if reader.themes else None)
            brief, = compose(desk, base, [spec])
            editions[reader.themes] = Edition(
                reader.themes, brief, f"{week}-{content_hash(brief)}",
                summarize(brief, week, spec.context["period"],
                          tuple((base.themes[t].title, len(facts)) for t, facts in spec.themes)),
                brief_lines(brief), developments=len(spec.context["developments"]))
    return editions


def _count_skipped(items: list[Item], report: SendReport) -> None:
    for item in items:
        address = item.reader.address
        if item.action in ("already sent", "nothing new"):
            report.counts[item.action] += 1
        elif item.action == "changed":
            report.counts["changed"] += 1
            report.problems.append(f"{address}: changed since sent; use --resend-changed to "
                                   "send the corrected brief")
        elif item.action == "unknown":
            report.counts["unknown"] += 1
            report.problems.append(f"{address}: delivery of {item.msgid} unknown since "
                                   f"{item.updated} (not sent again: ask the reader, then run "
                                   "send --retry-unknown to resend it)")


def render_editions(items: list[Item], desk: Desk, formats: tuple, words: MailWords,
                    report: SendReport) -> None:
    """Render (PDF and/or Word) each edition someone in `items` needs, once."""
    from briefgen.distribution.message import attachment_part
    from briefgen.render import render

    for item in items:
        edition = item.edition
        if edition.parts is None:
            files = render(edition.brief, tuple(formats), desk.templates)
            stem = words.words(edition, False, None).attachment
            edition.parts = [attachment_part(files[f".{fmt}"], f"{stem}.{fmt}")
                             for fmt in formats]
            report.built += 1


class MailWords:
    """Email words per (edition, corrected, edition replaced), rendered once and shared."""

    def __init__(self, templates, desk: dict, reasons: dict):
        self.templates, self.desk, self.reasons = templates, desk, reasons
        self.cache: dict = {}

    def words(self, edition: Edition, corrected: bool, diff):
        from briefgen.distribution.message import context

        key = (edition.id, corrected, repr(diff))
        if key not in self.cache:
            self.cache[key] = self.templates.render(context(
                edition.summary, edition.id, edition.brief.name, self.desk, corrected, diff))
        return self.cache[key]

    def message(self, item: Item, sender):
        """One reader's message (called from the worker thread that builds ahead)."""
        from briefgen.distribution.message import body_part, build_message

        edition, diff = item.edition, item.changes
        key = (item.corrected, item.since)
        body = edition.bodies.get(key)
        words = self.words(edition, item.corrected, diff)
        if body is None:
            body = edition.bodies[key] = body_part(words, f"{edition.id}/{item.corrected}/"
                                                          f"{item.since}")
        return build_message(item.reader, words, edition.parts, sender=sender,
                             msgid=item.msgid, edition=edition.id, corrected=item.corrected,
                             replaces=item.replaces, body=body)
