"""A brief's front matter as its template and desk set it: title block, cover, labels, marking."""

from __future__ import annotations

from dataclasses import replace

from briefgen.compose.model import Brief, Style
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


def finish(brief: Brief, spec, settings, words, renderer: TemplateRenderer, loose_blocks) -> Brief:
    """Desk settings, labels, table of contents and cover: what is known once the body is."""
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
        style=Style(accent=desk.accent, page_size=desk.page_size, logo=settings.logo,
                    logo_alt=desk.logo_alt or author, logo_decorative=desk.logo_decorative))
