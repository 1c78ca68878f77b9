"""`briefgen quote`: the passages of archived sources closest to the words a curator remembers.

Two passes, both in rapidfuzz's C code: every sentence of the searched sources is scored with a
partial match (is the remembered text in there?), then, in the best sentences only, every run of
clauses (and the sentence with its neighbour) is scored as a whole, so that the passage offered
is about as long as what was remembered and starts and ends where the text pauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.characters import clip
from briefgen.errors import BriefgenError

MIN_WORDS = 4  # as quote verification requires
MIN_SIMILARITY = 55.0  # below this a passage is not what the curator remembers
SOURCES = 8  # with --any, the sources searched sentence by sentence
SENTENCES = 24  # best runs of sentences kept from the first pass
MAX_CLAUSES = 8  # longest run of clauses offered from one sentence
MAX_SENTENCE = 600  # characters: a longer "sentence" (no punctuation) is searched in pieces
CONTEXT = 300  # characters kept around a place of a large text that the query points at
HEADLINE_HANDICAP = 2.0  # similarity points: a headline fragment yields to a body passage
HEADLINE_WORDS = 20  # a line this short not ending a sentence is a headline or caption
_SENTENCE_MARKS = tuple(".!?…\"'”’»)")

# A sentence ends after . ! ? or … (and any closing quotes or brackets) before white space; a
# blank line ends one too (titles, datelines).
_SENTENCE_END = re.compile(r"(?<=[.!?…])[)\]\"'”’»]*(\s+)|(\s*\n[^\S\n]*\n\s*)")
# A clause ends at , ; : or a dash set off by spaces (or an em dash).
_CLAUSE_END = re.compile(r"[,;:](?=\s)|\s[-–—]\s|—")
_TRIM = " \t\r\n,;:.-–—"


@dataclass(frozen=True)
class Passage:
    """A passage of one source, as it stands there (white space made single spaces)."""

    source: str
    file: str  # the source entry's `file`, relative to the facts folder
    text: str
    line: int  # 1-based line of the archived file where the passage starts
    similarity: float
    language: str = "en"  # the source's


def find(facts: Path, words: str, source: str | None = None, limit: int = 5) -> list[Passage]:
    """The best passages for `words` in `source` (every source if None), best first."""
    from rapidfuzz import fuzz, process, utils

    from briefgen.factbase.base import load_sources

    sources, unread = load_sources(Path(facts))
    if source is not None and source not in sources:
        from briefgen.suggest import did_you_mean

        hint = did_you_mean(source, sources, None) if sources else None
        note = f"; {unread} fact file(s) could not be read: run briefgen check" if unread else ""
        raise BriefgenError(f"unknown source '{source}'{note}" + (f" (hint: {hint})"
                                                                   if hint else ""))
    chosen = {sid: s.file for sid, s in sources.items() if source in (None, sid)}
    root = Path(facts).resolve()
    texts = {sid: _read(root, sid, file) for sid, file in chosen.items()}
    query = " ".join(words.split())
    if len(utils.default_process(query)) < 3:
        raise BriefgenError("give a few words of the passage you are looking for")
    # Where a large text is searched at all: as `check` bounds its closest-passage search.
    segments = {sid: _segments(query, text) for sid, text in texts.items()}

    if len(texts) > SOURCES:  # pass 0: the sources the query aligns with best, whole
        whole = {sid: "\n".join(texts[sid][a:b] for a, b in segments[sid]) for sid in texts}
        kept = process.extract(query, whole, scorer=fuzz.partial_ratio, limit=SOURCES)
        texts = {sid: texts[sid] for _, _, sid in kept}

    # Pass 1: runs of consecutive sentences at least as long as the query, each scored by how
    # well the query aligns somewhere inside it (a short sentence cannot match by being short).
    runs, owners, sentence_spans = [], [], []
    longest = max(MAX_SENTENCE, 4 * len(query))
    for sid, text in texts.items():
        spans = [cut for a, b in segments[sid] for span in _sentences(text, a, b)
                 for cut in _bounded(text, *span, longest)]
        for i, (a, _) in enumerate(spans):
            j = i
            while j + 1 < len(spans) and spans[j][1] - a < len(query):
                j += 1
            runs.append(text[a:spans[j][1]])
            owners.append(sid)
            sentence_spans.append(spans[i:j + 1])
    best = {i: None for scorer in (fuzz.partial_ratio, fuzz.token_ratio)
            for _, _, i in process.extract(query, runs, scorer=scorer,
                                           processor=utils.default_process, limit=SENTENCES,
                                           score_cutoff=MIN_SIMILARITY)}

    # Pass 2: in those, every run of clauses of a sentence, and runs of whole sentences.
    candidates: dict[tuple[str, int, int], None] = {}
    for i in best:
        sid, text, spans = owners[i], texts[owners[i]], sentence_spans[i]
        for start, end in spans:
            candidates.update(dict.fromkeys((sid, a, b) for a, b in _clause_runs(text, start, end)))
        for k in range(len(spans)):
            for m in range(k + 1, len(spans)):
                candidates[(sid, *_trim(text, spans[k][0], spans[m][1]))] = None
    keys = [k for k in candidates if len(texts[k[0]][k[1]:k[2]].split()) >= MIN_WORDS]
    # A passage at least as long as the query: how well the query's text (or its words, in
    # any order) lines up inside it, lowered as the passage grows longer than what was
    # remembered. A shorter one: plain similarity (it must not win by fitting in the query).
    shown = [texts[s][a:b] for s, a, b in keys]
    plain, inside, words_ = ({i: score for _, score, i in process.extract(
        query, shown, scorer=scorer, processor=utils.default_process, limit=None)}
        for scorer in (fuzz.ratio, fuzz.partial_ratio, fuzz.token_ratio))
    scored = []
    for i, text in enumerate(shown):
        size = len(" ".join(text.split()))
        score = plain[i] if size < len(query) else \
            max(plain[i], max(inside[i], words_[i]) * (0.7 + 0.3 * len(query) / size))
        if score >= MIN_SIMILARITY:
            # a headline, title or caption ranks below a passage of the body as similar
            rank = score - HEADLINE_HANDICAP * _in_headline(texts[keys[i][0]], *keys[i][1:])
            scored.append((rank, score, i))
    chosen_spans: list[tuple[str, int, int, float]] = []
    for _, score, i in sorted(scored, key=lambda r: (-r[0], r[2])):
        sid, a, b = keys[i]
        if any(s == sid and a < e and b > f for s, f, e, _ in chosen_spans):
            continue  # a shorter or longer cut of a passage already offered
        chosen_spans.append((sid, a, b, score))
        if len(chosen_spans) == limit:
            break
    found = [Passage(sid, chosen[sid], _balanced(" ".join(texts[sid][a:b].split())),
                     texts[sid].count("\n", 0, a) + 1, score, sources[sid].language)
             for sid, a, b, score in chosen_spans]
    if not found:
        where = f"source '{source}'" if source else "any source"
        raise BriefgenError(f"no passage of {where} is at least {MIN_SIMILARITY:.0f}% similar "
                            f"to “{clip(query, 60)}” (hint: try fewer, more distinctive words)")
    return found


def _segments(query: str, text: str) -> list[tuple[int, int]]:
    """The stretches of `text` searched: all of it, or, in a text too large to search whole
    for this query, the places pieces of the query point at, with some context around."""
    from briefgen.factbase.quotes import FULL_SEARCH_CELLS, near

    if len(query) * len(text) <= FULL_SEARCH_CELLS:
        return [(0, len(text))]
    margin = 2 * len(query) + CONTEXT
    merged: list[list[int]] = []
    for a, b in sorted(near(query, text)):
        a, b = max(0, a - margin), min(len(text), b + margin)
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _bounded(text: str, a: int, b: int, longest: int):
    """A sentence cut at white space into pieces of at most `longest` characters (a text
    with no sentence ends must not make every run as long as the text)."""
    while b - a > longest:
        cut = text.rfind(" ", a + longest // 2, a + longest)
        cut = cut if cut > a else a + longest
        yield a, cut
        a = cut + 1
    if b > a:
        yield a, b


def _in_headline(text: str, a: int, b: int) -> bool:
    """Whether text[a:b] stands in a short line that does not end a sentence: a title,
    headline, heading or caption rather than the body."""
    start = text.rfind("\n", 0, a) + 1
    end = text.find("\n", b)
    line = text[start:end if end >= 0 else len(text)].strip()
    return len(line.split()) <= HEADLINE_WORDS and not line.endswith(_SENTENCE_MARKS)


def yaml_block(passage: Passage, desk_language: str = "en") -> str:
    """A citation ready to paste under `citations:`, its similarity and place as a comment;
    for a source in another language than the desk's, the translation still to write."""
    block = (f"# {passage.similarity:.0f}% similar, line {passage.line} of {passage.file}\n"
             f"- source: {passage.source}\n"
             f"  quote: {yaml_quoted(passage.text)}\n")
    desk = desk_language.split("-")[0].lower()
    if passage.language.split("-")[0].lower() != desk:
        block += (f"  # translation: \"\"  (the quote in '{desk}', the desk's language: check "
                  "warns until it is there)\n")
    return block


def yaml_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar that yaml.safe_load reads back exactly."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable() and ch not in "\u2028\u2029\ufeff" or ch == " ":
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out) + '"'


def _sentences(text: str, start: int = 0, end: int | None = None):
    """The sentences of text[start:end], as (start, end) in `text`."""
    end = len(text) if end is None else end
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        gap = m.start(1) if m.group(1) is not None else m.start(2)
        if gap > pos:
            yield _trim(text, pos, gap)
        pos = m.end()
    if pos < end:
        yield _trim(text, pos, end)


def _clause_runs(text: str, start: int, end: int):
    """Every run of up to MAX_CLAUSES consecutive clauses of the sentence text[start:end]."""
    cuts = [start] + [m.start() for m in _CLAUSE_END.finditer(text, start, end)] + [end]
    for i in range(len(cuts) - 1):
        for j in range(i + 1, min(len(cuts), i + 1 + MAX_CLAUSES)):
            a, b = _trim(text, cuts[i], cuts[j])
            if b > a:
                yield a, b


_PAIRS = (("“", "”"), ("«", "»"), ("(", ")"), ("[", "]"))


def _balanced(text: str) -> str:
    """Without a quotation mark or bracket at either end whose partner is not in the passage
    (a cut sentence keeps its closing ” but not the opening “)."""
    changed = True
    while changed and text:
        changed = False
        for opening, closing in _PAIRS + (('"', '"'),):
            odd = text.count(opening) != text.count(closing) if opening != closing \
                else text.count(opening) % 2 == 1
            if odd and text.endswith(closing):
                text, changed = text[:-1].rstrip(_TRIM), True
            elif odd and text.startswith(opening):
                text, changed = text[1:].lstrip(_TRIM), True
    return text


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _TRIM:
        a += 1
    while b > a and text[b - 1] in _TRIM:
        b -= 1
    return a, b


def _read(root: Path, sid: str, file: str) -> str:
    """A source's archived text, read as `check` reads it (the same rules: inside the facts
    folder, a regular file, within the size limit, UTF-8)."""
    from briefgen.factbase.texts import read_archived

    text, problem = read_archived(root, file)
    if problem is not None:
        raise BriefgenError(f"source '{sid}': archived file '{file}' {problem[0]} "
                            f"(hint: {problem[1]}; briefgen check says more)")
    return text
