"""A brief's front matter as its template and desk set it: title block, cover, labels, marking;
and, for a brief that is sent, its edition: the footer's edition line and what a corrected
edition says on its cover, in its running head, title and file name, and in its "What changed"
box (the same words as the e-mail that carries it)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from briefgen.compose.model import Block, Brief, Run, Section, Style
from briefgen.compose.templating import TemplateRenderer


def title_block(spec, renderer: TemplateRenderer) -> None:
    """The title block the template set (`{% set title = ... %}`), onto the spec."""
    exports = renderer.exports
    for name in ("title", "subtitle", "subject", "period"):
        if name in exports:
            value = renderer.text(exports[name])
            if name == "period":
                spec.context["period"] = value
            else:
                setattr(spec, name, value)
    if "keywords" in exports:
        spec.keywords = tuple(renderer.text(k) for k in exports["keywords"] if k)


def marking(classification: str, notice: str, pattern: str) -> str:
    """What every page carries at its top and bottom: the classification and any notice."""
    if classification and notice:
        return pattern.format(marking=classification, notice=notice)
    return classification or notice


def finish(brief: Brief, spec, settings, words, renderer: TemplateRenderer, loose_blocks,
           themes=()) -> Brief:
    """Desk settings, labels, table of contents and cover: what is known once the body is;
    `themes` (the templates' theme views) give each theme's section count."""
    exports, desk = renderer.exports, settings.desk
    labels = {**brief.labels, **words.labels, **{k: renderer.text(v)
                                 for k, v in dict(exports.get("labels", {})).items()}}
    lines = sum(1 for b in brief.blocks if b.cites)
    text_words = sum(len(b.text.split()) for b in brief.blocks)
    cover: tuple = ()
    if "cover" in exports:
        text, origins = renderer.call(exports["cover"], text_words, lines)
        cover = loose_blocks(text, origins)
    toc_above = exports.get("toc_above")
    author = ", ".join(n for n in (desk.name, desk.organisation) if n)  # who issues the brief
    return replace(
        brief, labels=labels, classification=desk.classification, running_head=desk.name,
        marking=marking(desk.classification, labels.get("review_copy", "") if spec.annotated
                        else "", labels.get("marking_and_notice", "{marking} · {notice}")),
        author=author or brief.author, organisation=desk.organisation,
        language=desk.language, cover=cover, annotated=spec.annotated,
        toc=isinstance(toc_above, int) and lines > toc_above,
        sections=sections(brief.blocks, themes),
        style=Style(accent=desk.accent, page_size=desk.page_size, logo=settings.logo,
                    logo_alt=desk.logo_alt or author, logo_decorative=desk.logo_decorative))


def sections(blocks, themes) -> tuple[Section, ...]:
    """Each theme with the facts of it that the blocks print, wherever they print them: its
    own, and those printed under another theme it shares or among the key points."""
    order: dict[str, int] = {}
    for block in blocks:
        if block.kind != "judgment":  # a judgment line's ids are its judgments
            for fid in block.fact_ids:
                order.setdefault(fid, len(order))
    out = []
    for theme in themes:
        mine = {f.id for f in theme.facts} | {s["fact"].id for s in theme.see_also}
        out.append(Section(theme.id, theme.title,
                           tuple(sorted((f for f in mine if f in order), key=order.get))))
    return tuple(out)


# --- the edition of a brief that is sent ------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """What a corrected edition says: which correction of the week it is for its readers, the
    edition it replaces and the day that one was sent, and the lines that changed (items with
    kind, text, before, reason, part, before_part; None when the replaced edition's lines were
    not recorded)."""

    number: int
    replaces: str  # the edition id replaced, e.g. 2019-W50-28843f37a8a5
    sent: date | None
    changes: tuple | None


def short_id(edition: str) -> str:
    """The edition id as `briefgen ledger` and the footer show it: its content hash."""
    return edition.rsplit("-", 1)[-1]


def edition(brief: Brief, words, edition_id: str, correction: Correction | None = None
            ) -> Brief:
    """The brief as sent: its short edition id in the footer; a correction also says so in
    its title (and so its metadata), file name, running head and cover, and opens with its
    "What changed" box, worded as `change_lines` words it for the e-mail."""
    table = edition_words(words)
    if correction is None:
        return replace(brief, edition=table["line"].format(edition=short_id(edition_id)))
    said = corrected_line(words, correction.sent)
    heading = min((b.level for b in brief.blocks if b.kind == "heading"), default=2)
    box = (Block("heading", (Run(table["changes"]),), heading),
           *(Block("note", runs) for runs in change_lines(words, correction.changes)))
    return replace(
        brief, name=table["file"].format(name=brief.name, number=correction.number),
        title=table["title"].format(title=brief.title), running_head=said,
        cover=brief.cover + (Block("note", (Run(said, bold=True),)),),
        blocks=box + brief.blocks,
        edition=table["corrected_line"].format(edition=short_id(edition_id),
                                               replaces=short_id(correction.replaces)))


def corrected_line(words, sent: date | None) -> str:
    """'Corrected edition — replaces the edition sent on 16 December 2019'."""
    table = edition_words(words)
    if sent is None:
        return table["corrected_undated"]
    return table["corrected"].format(date=words.date(sent))


def change_lines(words, changes) -> list[tuple[Run, ...]]:
    """Each change as a line of runs (its kind in bold), the same in the brief and the e-mail;
    one line saying why none are listed when there are none, or they are not known."""
    table = edition_words(words)
    if changes is None:
        return [(Run(table["unknown"]),)]
    if not changes:
        return [(Run(table["none"]),)]
    out = []
    for change in changes:
        if change.kind == "moved":
            label = table["moved"].format(part=change.part or "", before=change.before_part or "")
        else:
            label = table[change.kind]
        runs = [Run(label, bold=True), Run(" " + change.text)]
        if change.before:
            runs.append(Run(" " + table["before"].format(line=change.before)))
        if change.reason:
            runs.append(Run(" " + table["reason"].format(reason=change.reason)))
        out.append(tuple(runs))
    return out


def edition_words(words) -> dict:
    """The [edition] table of the desk's wording.toml; a desk's own file written before it
    existed borrows the packaged one's, in the same language (else English)."""
    table = words.table.get("edition")
    if isinstance(table, dict) and EDITION_KEYS <= table.keys():
        return table
    from briefgen.compose.wordbook import load_wordbook
    from briefgen.errors import BriefgenError

    try:
        packaged = load_wordbook(None, words.language).table
    except BriefgenError:  # no packaged words in the desk's language
        packaged = load_wordbook(None, "en").table
    return {**packaged["edition"], **(table if isinstance(table, dict) else {})}


EDITION_KEYS = frozenset({"line", "corrected_line", "corrected", "corrected_undated", "title",
                          "file", "changes", "withdrawn", "changed", "added", "moved", "before",
                          "reason", "none", "unknown"})
