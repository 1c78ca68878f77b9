"""A saved web page read for `source add`: its article text with the standfirst, and its
metadata, each field marked as stated by the page's metadata or guessed from its text."""

from __future__ import annotations

import re

from briefgen.curate.article import Article, date_in_text

# The standfirst (teaser, dek, chapô) under a headline: trafilatura drops it as page furniture,
# yet it is the article's own summary, and curators quote it.
_STANDFIRST = re.compile(r"standfirst|sub-?head|\bdek\b|teaser|\blede\b|\bchapo|chapeau|"
                         r"\bintro\b|article-?summary|excerpt", re.I)
_FURNITURE = {"nav", "aside", "footer", "script", "style", "noscript", "form", "button"}
# Byline pieces that are a dateline or a time stamp, never an author: "Abuja Last Updated".
_NOT_AN_AUTHOR = re.compile(r"\b(last\s+)?updated\b|\bpublished\b|\bposted\b|\bmis à jour\b|"
                            r"\bpublié\b|\d{1,2}[:.h]\d{2}\b|\b\d{4}\b", re.I)
MIN_STANDFIRST_WORDS = 8


def read_page(html: str) -> Article:
    """The article of a page (already decoded) and what the page states about it."""
    import lxml.html
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, favor_precision=True,
                                      include_comments=False)
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        tree = None
    if doc is None or not doc.text:
        return Article("")
    # One blank line between paragraphs, as archived texts have them.
    paragraphs = [p for p in doc.text.split("\n") if p.strip()]
    article = Article("", title=doc.title, publisher=doc.sitename)
    if tree is not None:
        paragraphs = _with_standfirst(tree, paragraphs, doc.title)
        article.language = _stated_language(tree)
        stated = _metadata_text(tree)
        author = _clean_byline(doc.author)
        if author:
            article.author = author
            if not all(name.lower() in stated for name in author.split("; ")):
                article.guessed["author"] = "the byline"
        article.published = _stated_date(tree)
        if not article.published:
            day = date_in_text(_visible_text(tree))
            if day:
                article.published, article.guessed["published"] = day, "its text"
    article.text = "\n\n".join(paragraphs)
    return article


def _stated_date(tree) -> str | None:
    """The publication date the page's metadata states (<meta> tags, JSON-LD, <time
    datetime>), not one read from its text."""
    import lxml.html
    from htmldate import find_date

    head = tree.find("head")
    parts = [lxml.html.tostring(head, encoding="unicode")] if head is not None else []
    parts += [lxml.html.tostring(t, encoding="unicode", with_tail=False)
              for t in tree.xpath("//time[@datetime]")]
    if not parts:
        return None
    return find_date("<html>" + "".join(parts) + "</html>", extensive_search=False,
                     original_date=True, outputformat="%Y-%m-%d")


def _clean_byline(author: str | None) -> str | None:
    """The byline's names without "By", datelines and "Last updated" stamps."""
    if not author:
        return None
    names = []
    for piece in re.split(r"\s*[;|]\s*", author):
        piece = re.sub(r"^(by|par)\s+", "", piece.strip(), flags=re.I)
        if not piece or _NOT_AN_AUTHOR.search(piece) or re.fullmatch(r"[A-Z]{3,}", piece):
            continue
        names.append(piece)
    return "; ".join(dict.fromkeys(names)) or None


def _stated_language(tree) -> str | None:
    """The language the page declares: <html lang>, Content-Language, og:locale."""
    values = [tree.get("lang") or tree.get("xml:lang")]
    values += tree.xpath("//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')="
                         "'content-language']/@content")
    values += [v.replace("_", "-") for v in tree.xpath("//meta[@property='og:locale']/@content")]
    for value in values:
        value = (value or "").strip().split(",")[0].strip()
        if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
            primary, _, region = value.partition("-")
            return primary.lower() + (f"-{region.upper()}" if len(region) == 2 else
                                      f"-{region}" if region else "")
    return None


def _metadata_text(tree) -> str:
    """Everything the page's metadata says, lowercased: <meta> values and JSON-LD."""
    values = tree.xpath("//meta/@content") + tree.xpath(
        "//script[@type='application/ld+json']/text()")
    return "\n".join(values).lower()


def _visible_text(tree) -> str:
    """The text a reader sees, in order, without navigation, asides and footers."""
    body = tree.find("body") if tree.find("body") is not None else tree
    parts = []
    for element in body.iter():
        if not isinstance(element.tag, str) or _in_furniture(element):
            continue
        parts += [element.text or ""]
        if element.tail and not _in_furniture(element.getparent()):
            parts.append(element.tail)
    return " ".join(" ".join(parts).split())


def _in_furniture(element) -> bool:
    while element is not None:
        if isinstance(element.tag, str) and element.tag in _FURNITURE:
            return True
        element = element.getparent()
    return False


def _with_standfirst(tree, paragraphs: list[str], title: str | None) -> list[str]:
    """The paragraphs with the page's standfirst put back after the headline."""
    have = {" ".join(p.split()) for p in paragraphs}
    for element in tree.iter():
        if not isinstance(element.tag, str) or _in_furniture(element):
            continue
        marks = " ".join(v for k, v in element.attrib.items() if k in ("class", "id")
                         or k.startswith("data-"))
        if not _STANDFIRST.search(marks):
            continue
        text = " ".join(element.text_content().split())
        if len(text.split()) < MIN_STANDFIRST_WORDS or text == title or text in have or \
                any(text in p for p in have):
            continue
        at = 1 if paragraphs and title and " ".join(paragraphs[0].split()) == title else 0
        return paragraphs[:at] + [text] + paragraphs[at:]
    return paragraphs
