"""Quote verification: text folding (docs/facts.md#quotes), ellipsis fragments, W3C selectors."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from briefgen.characters import clip

# Every Unicode 15.1 dash (category Pd) plus the minus sign folds to '-', whatever the
# Unicode version of the running Python; tests check this list.
DASHES = ("\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a"
          "\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead\u2212")
SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u02bc"
DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033"
FOLD = str.maketrans({**{c: "-" for c in DASHES}, **{c: "'" for c in SINGLE_QUOTES},
                      **{c: '"' for c in DOUBLE_QUOTES}})
# Runs that need more than copying: white space other than one plain space, and non-ASCII text
# (with the ASCII letter before it, which a combining mark may compose with).
_SPECIAL = re.compile(r"[^\S ]\s*| \s+|[A-Za-z]?[^\x00-\x7f\s]+")
# Every character `\s` matches but the plain space (tests check this list).
WHITE_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
               "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_ONE_TO_ONE = {**{chr(k): v for k, v in FOLD.items()}, **{c: " " for c in WHITE_SPACE}}
_ONE_TO_ONE_KEYS = tuple(_ONE_TO_ONE)
_LONG_SPACES = re.compile("  +")  # a literal prefix, which `re` searches faster than " {2,}"
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")  # not tab, LF, CR
_C0_BYTES = bytes([*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])
_C1_OR_FFFE = (re.compile(b"\xc2[\x80-\x9f]"), re.compile(b"\xef\xbf[\xbe\xbf]"))  # as UTF-8
ELLIPSIS = "..."  # NFKC turns '…' into '...'
CONTEXT = 32  # characters of prefix and suffix in a text-quote selector
MIN_WORDS = 4


class Offsets:
    """Maps a position in folded text to its position in the original: linear between breaks."""

    def __init__(self, length: int):
        self.length = length
        self.folded: list[int] = [0]  # breakpoints: folded position ...
        self.original: list[int] = [0]  # ... and the original position it stands for

    def add(self, folded: int, original: int) -> None:
        if self.folded[-1] == folded:
            self.original[-1] = original
        elif self.original[-1] + (folded - self.folded[-1]) != original:
            self.folded.append(folded)
            self.original.append(original)

    def __getitem__(self, i: int) -> int:
        j = bisect_right(self.folded, i) - 1
        return self.original[j] + (i - self.folded[j])

    def __len__(self) -> int:
        return self.length


def normalize(text: str) -> tuple[str, Offsets]:
    """Fold `text` for matching; also return where each folded character stands in `text`.

    Folding: NFKC, curly quotes to straight, every dash to '-', white space runs to one space.
    Plain ASCII stretches are copied in bulk and need no bookkeeping, so the cost is linear
    and mostly in C.
    """
    if not text.isascii():
        # The usual archived text is NFKC once its white space (no-break spaces too) is plain
        # spaces: then folding maps one character to one, and only runs of two or more
        # spaces change lengths. Fold the whole text at once and visit just those runs.
        mapped = _translate(text)
        if unicodedata.is_normalized("NFKC", mapped):
            return _fold_spaces(mapped)
        return _fold(text, _SPECIAL)
    return _fold_spaces(_translate(text))


def _fold(text: str, special: re.Pattern) -> tuple[str, Offsets]:
    """Fold the `special` runs of `text` (the rest is copied as it is), keeping offsets."""
    out: list[str] = []
    size = 0
    offsets = Offsets(0)
    pos = 0
    for m in special.finditer(text):
        start, end = m.span()
        if start > pos:
            offsets.add(size, pos)
            out.append(text[pos:start])
            size += start - pos
        chunk = m.group()
        offsets.add(size, start)
        if chunk[0].isspace():
            out.append(" ")
            size += 1
        elif unicodedata.is_normalized("NFKC", chunk):
            out.append(chunk.translate(FOLD))  # the table maps one character to one
            size += len(chunk)
        else:
            size = _fold_chunk(chunk, start, out, size, offsets)
        pos = end
    if pos < len(text):
        offsets.add(size, pos)
        out.append(text[pos:])
        size += len(text) - pos
    offsets.length = size
    return "".join(out), offsets


def _fold_spaces(text: str) -> tuple[str, Offsets]:
    """`_fold(text, _LONG_SPACES)` in bulk: the same text and breakpoints, from one C `sub`
    and a visit of each run of spaces (no Python loop over the other characters)."""
    offsets = Offsets(0)
    removed = 0
    for m in _LONG_SPACES.finditer(text):
        start, end = m.span()
        removed += end - start - 1
        if end < len(text):  # past the last run, positions go on at the same distance
            offsets.folded.append(end - removed)
            offsets.original.append(end)
    offsets.length = len(text) - removed
    return _LONG_SPACES.sub(" ", text), offsets


def _translate(text: str) -> str:
    """Quotes and dashes folded, white space made plain spaces: one character to one, done by
    a C search and `replace` per such character present (`str.translate` would look up every
    character of the text)."""
    for ch in _ONE_TO_ONE_KEYS:
        if ch in text:
            text = text.replace(ch, _ONE_TO_ONE[ch])  # never to a character of the table
    return text


def _fold_chunk(chunk: str, start: int, out: list[str], size: int, offsets: Offsets) -> int:
    """NFKC and fold a run cluster by cluster (a base and its combining marks)."""
    i = 0
    while i < len(chunk):
        j = i + 1
        while j < len(chunk) and unicodedata.combining(chunk[j]):
            j += 1
        folded = unicodedata.normalize("NFKC", chunk[i:j]).translate(FOLD)
        for k in range(len(folded)):  # every character of an expansion stands for the cluster
            offsets.add(size + k, start + i)
        out.append(folded)
        size += len(folded)
        offsets.add(size, start + j)
        i = j
    return size


def fold(text: str) -> str:
    """The folded form of a quote, without offsets, trimmed: what `normalize` gives, without
    its offset bookkeeping when the text is NFKC once mapped (nearly every quote)."""
    if text.isascii() and text.isprintable():  # no white space but spaces: nothing to map
        mapped = text
    else:
        mapped = _translate(text)
        if not unicodedata.is_normalized("NFKC", mapped):
            return normalize(text)[0].strip()
    return (_LONG_SPACES.sub(" ", mapped) if "  " in mapped else mapped).strip()


@dataclass(frozen=True)
class Selector:
    """W3C Web Annotation TextQuoteSelector + TextPositionSelector for one passage."""

    exact: str
    prefix: str
    suffix: str
    start: int  # code-point offsets into the archived text
    end: int


@dataclass(frozen=True)
class Verified:
    """A quote found in its source: one selector per ellipsis fragment, and the file's hash."""

    selectors: tuple[Selector, ...]
    sha256: str

    @cached_property  # one string for the note, the annex and the provenance of a citation
    def exact(self) -> str:
        """The quote as it stands in the source; fragments joined by an ellipsis."""
        return " … ".join(s.exact for s in self.selectors)


@dataclass(frozen=True)
class Miss:
    """A quote that is not in its source, with the closest passage as a hint.

    `changes` says in a few words where the quote departs from that passage (“Tripolis” →
    “Tripoli”) and `marked` is the passage around the departures, the differing words in
    [brackets]; the reason shows the quote the same way.
    """

    reason: str
    closest: str = ""
    similarity: float = 0.0
    changes: str = ""
    marked: str = ""


def _has_controls(raw: bytes) -> bool:
    """Whether the UTF-8 `raw` holds a character of _CONTROLS, found in the bytes (whose
    search is cheaper than one of the decoded text)."""
    return len(raw.translate(None, _C0_BYTES)) != len(raw) or \
        any(p.search(raw) for p in _C1_OR_FFFE)


class SourceText:
    """An archived source, folded once and searched for every quote that cites it."""

    def __init__(self, raw: bytes):
        self.sha256 = hashlib.sha256(raw).hexdigest()
        text = raw.decode("utf-8")
        # Control characters and U+FFFE/U+FFFF are white space for matching, and never copied
        # into a brief (no document format can hold them): one for one, so offsets still hold.
        self.text = _CONTROLS.sub(" ", text) if _has_controls(raw) else text
        self.folded, self.offsets = normalize(self.text)

    def verify(self, quote: str) -> Verified | Miss:
        folded = fold(quote)
        words = len(folded.replace(ELLIPSIS, " ").split())
        if words < MIN_WORDS:
            return Miss(f"quote has {words} word{'s' * (words != 1)}; at least {MIN_WORDS} are "
                        "needed to pin it to one passage")
        fragments = _fragments(folded)
        selectors, at = [], 0
        for fragment in fragments:
            found = self.folded.find(fragment, at)
            if found < 0:
                return self._miss(fragment, len(fragments) > 1 and bool(selectors))
            at = found + len(fragment)
            selectors.append(self._selector(found, at))
        return Verified(tuple(selectors), self.sha256)

    def contains(self, quote: str) -> bool:
        """Whether the quote (every fragment, in order) is in this text; no fuzzy search."""
        at = 0
        for fragment in _fragments(fold(quote)):
            found = self.folded.find(fragment, at)
            if found < 0:
                return False
            at = found + len(fragment)
        return True

    def _selector(self, start: int, end: int) -> Selector:
        o = self.offsets
        a = o[start]
        b = o[end] if end < len(o) else len(self.text)
        b = max(b, o[end - 1] + 1)  # inside an NFKC expansion, still end after its source
        return Selector(exact=self.text[a:b], prefix=self.text[max(0, a - CONTEXT):a],
                        suffix=self.text[b:b + CONTEXT], start=a, end=b)

    def _miss(self, fragment: str, out_of_order: bool) -> Miss:
        if out_of_order and fragment in self.folded:
            return Miss(f"fragment “{clip(fragment, 80)}” occurs only before the previous "
                        "fragment; ellipsis fragments must appear in source order")
        hit = _closest(fragment, self.folded)
        if hit is None or hit.score == 0:
            return Miss(f"quote “{clip(fragment, 80)}” not found in the source")
        a = self.offsets[hit.dest_start]
        b = self.offsets[max(hit.dest_end - 1, hit.dest_start)] + 1
        while a > 0 and self.text[a - 1].isalnum() and self.text[a].isalnum():
            a -= 1  # widen to whole words: the alignment may start or end mid-word
        while b < len(self.text) and self.text[b].isalnum() and self.text[b - 1].isalnum():
            b += 1
        closest = " ".join(self.text[a:b].split())
        # The alignment is as long as the quote: a word the quote has too many or too few
        # shifts it. Compare with a few words more on each side (context, never marked).
        before = self.text[max(0, a - 60):a].split()[-3:]
        after = self.text[b:b + 60].split()[:3]
        around = " ".join(before + [closest] + after)
        quote_view, source_view, changes = word_diff(fragment, around)
        return Miss(f"quote “{quote_view}” not found in the source", closest, hit.score,
                    changes, source_view)


def _fragments(folded: str) -> list[str]:
    return [f.strip() for f in folded.split(ELLIPSIS) if f.strip()]


CONTEXT_WORDS = 4  # words shown before the first difference and after the last
MAX_SHOWN_WORDS = 24  # of a quote or passage: longer ones are cut around the differences
MAX_CHANGES = 3  # differences spelled out in the hint


_TOKEN = re.compile(r"\w+|[^\w\s]+")  # words, and runs of punctuation apart from them


def word_diff(quote: str, passage: str) -> tuple[str, str, str]:
    """The quote and the passage around where they differ, differing words in [brackets], and
    the differences in words (“Tripolis” → “Tripoli”). Never cut before the first
    difference."""
    import difflib

    ours = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(quote)]
    theirs = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(passage)]
    # The passage may hold context around the quote: keep the stretch that lines up with it
    # (from its first common word, less the quote's words before it, to the same at the end).
    blocks = [b for b in difflib.SequenceMatcher(
        None, [fold(t[0]) for t in ours], [fold(t[0]) for t in theirs],
        autojunk=False).get_matching_blocks() if b.size]
    if blocks and ours and theirs:
        first, last = blocks[0], blocks[-1]
        start = max(0, first.b - first.a)
        end = min(len(theirs), last.b + last.size + len(ours) - last.a - last.size)
        passage = passage[theirs[start][1]:theirs[end - 1][2]]
        theirs = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(passage)]
    ops = difflib.SequenceMatcher(None, [fold(t[0]) for t in ours], [fold(t[0]) for t in theirs],
                                  autojunk=False).get_opcodes()
    # The passage is a window of the source: what it has beyond the quote's ends is context.
    while ops and ops[0][0] == "insert":
        ops = ops[1:]
    while ops and ops[-1][0] == "insert":
        ops = ops[:-1]
    diffs = [op for op in ops if op[0] != "equal"]
    same = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    if not diffs or same * 2 < len(ours):  # nothing alike enough to point at words
        return clip(quote, 80), clip(passage, 160), ""
    changes = []
    for tag, i1, i2, j1, j2 in diffs:
        was = quote[ours[i1][1]:ours[i2 - 1][2]] if i2 > i1 else ""
        now = passage[theirs[j1][1]:theirs[j2 - 1][2]] if j2 > j1 else ""
        changes.append(f"“{was}” → “{now}”" if tag == "replace" else
                       f"drop “{was}”" if tag == "delete" else f"add “{now}”")
    more = len(changes) - MAX_CHANGES
    summary = ", ".join(changes[:MAX_CHANGES]) + (f" and {more} more" if more > 0 else "")
    return (_marked(quote, ours, [(i1, i2) for _, i1, i2, _, _ in diffs]),
            _marked(passage, theirs, [(j1, j2) for _, _, _, j1, j2 in diffs]), summary)


def _marked(text: str, tokens: list[tuple], spans: list[tuple[int, int]]) -> str:
    """`text` with each span of tokens in [brackets], cut to a window around them when long."""
    spans = [(a, b) for a, b in spans if b > a]
    if not spans:  # nothing of this side differs (the other side has extra words)
        return clip(text, 160)
    first, last = spans[0][0], spans[-1][1]
    a, b = 0, len(tokens)
    if len(text.split()) > MAX_SHOWN_WORDS:
        a = max(0, first - CONTEXT_WORDS)
        b = min(len(tokens), max(last + CONTEXT_WORDS, first + 1), a + MAX_SHOWN_WORDS)
        b = max(b, first + 1)
    out, pos = [], tokens[a][1]
    for i, j in spans:
        if i >= b:
            break
        out += [text[pos:tokens[i][1]], "[", text[tokens[i][1]:tokens[min(j, b) - 1][2]], "]"]
        pos = tokens[min(j, b) - 1][2]
    out.append(text[pos:tokens[b - 1][2]])
    return ("… " if a else "") + "".join(out) + (" …" if b < len(tokens) else "")


# Closest-passage search: sliding a fragment over the whole text costs in proportion to text
# length x fragment length, too long for a long quote in a large text (bench/README.md, the
# `miss` scenario). Up to FULL_SEARCH_CELLS the whole text is searched; beyond, only the places
# that pieces of the fragment point at: at most ANCHORS scans of the text.
FULL_SEARCH_CELLS = 20_000_000
ANCHORS = 18  # pieces of the fragment looked up (see _anchors)
ENOUGH = 3  # once this many pieces point at one place, look no further
ANCHOR_HITS = 2_000  # a piece found this often says nothing about where: skipped
CANDIDATES = 8  # places compared with the fragment in full


@dataclass(frozen=True)
class _Hit:
    score: float
    dest_start: int
    dest_end: int


def _closest(fragment: str, folded: str):
    """The passage of `folded` most like `fragment` (score 0-100, start, end), at bounded cost."""
    from rapidfuzz import fuzz  # only on failure: a fuzzy match is a hint, never a pass

    m = len(fragment)
    if m * len(folded) <= FULL_SEARCH_CELLS:
        return fuzz.partial_ratio_alignment(fragment, folded)
    places, ranked, bucket = _votes(fragment, folded)
    best = None
    for b in ranked[:CANDIDATES]:
        lo, hi = max(0, b * bucket - m // 2), b * bucket + 2 * bucket + m + m // 2
        if (hi - lo) * m <= FULL_SEARCH_CELLS // CANDIDATES:
            hit = fuzz.partial_ratio_alignment(fragment, folded[lo:hi])
            hit = _Hit(hit.score, lo + hit.dest_start, lo + hit.dest_end)
        else:  # a very long fragment: compare it with the stretches the pieces point at
            hit = max((_Hit(fuzz.ratio(fragment, folded[start:start + m]), start,
                            min(start + m, len(folded)))
                       for start in sorted({start for start, _ in places[b].values()})
                       [:CANDIDATES]),
                      key=lambda h: h.score)
        if best is None or hit.score > best.score:
            best = hit
    return best


def near(fragment: str, text: str, limit: int = CANDIDATES) -> list[tuple[int, int]]:
    """The stretches of `text` (start, end) where `fragment` most likely stands, best first,
    found as `check` finds the closest passage in a large text: for `quote`, whose search
    must stay bounded the same way. Empty when no piece of it is in the text."""
    _, ranked, bucket = _votes(fragment, text)
    m = len(fragment)
    return [(max(0, b * bucket - m // 2), min(len(text), b * bucket + 2 * bucket + m + m // 2))
            for b in ranked[:limit]]


def _votes(fragment: str, folded: str):
    """Each occurrence of a piece of `fragment` votes for where the fragment would start
    there: the places (bucket -> {piece: (start, weight)}), ranked by how many pieces point at
    each (the rarer the pieces, the better), and the bucket size."""
    m = len(fragment)
    bucket = max(64, m // 2)
    votes: dict[int, dict[str, tuple[int, float]]] = {}
    agreeing = 0  # the most pieces that point at one place
    for piece, offset in _anchors(fragment)[:ANCHORS]:
        hits, at = [], folded.find(piece)
        while at >= 0 and len(hits) < ANCHOR_HITS:
            hits.append(at)
            at = folded.find(piece, at + 1)
        if len(hits) == ANCHOR_HITS:
            continue  # so common that it says nothing about where
        for at in hits:
            start = max(0, at - offset)
            place = votes.setdefault(start // bucket, {})
            place.setdefault(piece, (start, 1 / len(hits)))
            agreeing = max(agreeing, len(place))
        if agreeing >= ENOUGH:
            break
    # A place is a bucket and the next one: starts that differ a little may straddle a border.
    places = {b: {**votes.get(b + 1, {}), **votes[b]} for b in votes}
    ranked = sorted(places, key=lambda b: (-len(places[b]),
                                           -sum(w for _, w in places[b].values()), b))
    return places, ranked, bucket


def _anchors(fragment: str) -> list[tuple[str, int]]:
    """Pieces of `fragment` and where they start in it: runs of words that do not overlap (so
    that two pieces agreeing on a place are two witnesses), spread over it so that a typo
    spoils few, then its long words, longest first."""
    words = [(w.group(), w.start()) for w in re.finditer(r"\S+", fragment)]
    n = 5 if len(words) >= 25 else 3 if len(words) >= 9 else 2  # the longer, the rarer
    runs = [(fragment[a[1]:b[1] + len(b[0])], a[1])
            for a, b in zip(words[::n], words[n - 1::n], strict=False)]
    runs = runs[::max(1, len(runs) // (ANCHORS - 6))][:ANCHORS - 6]
    return runs + sorted((w for w in words if len(w[0]) >= 5), key=lambda w: (-len(w[0]), w[1]))
