"""Independent corroboration: sources that share text are one line of reporting.

The same wire copy or press release carried by two outlets is one report, however many
citations it gets: a grade or a judgment that counts it twice overstates the evidence
(circular reporting). Each archived text is cut into sentences; the long ones are indexed by a
64-bit key of their folded, lowercased words, so that finding every pair of sources that
share sentences costs one pass over the texts (done by whichever process read the text, see
texts.py) and one dictionary. Sources sharing at least SHARED_WORDS words of such sentences
are joined into one line of reporting.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

MIN_SENTENCE_WORDS = 10  # shorter sentences ("The army said so.") are shared by chance
MAX_HOLDERS = 6  # a sentence in more sources than this is boilerplate (a disclaimer)
SHARED_WORDS = 40  # words of shared sentences that make two sources one line of reporting
# A folded text has single spaces and no line breaks: a sentence ends at . ! ? and a space.
_SENTENCE = re.compile(r"[.!?][\"'”’»)]* ")
# A rationale that claims more than one report: "two sources", "independently confirmed", "as
# corroborated by"; not "carried by two outlets" or "no independent confirmation".
_CLAIMS_MORE = re.compile(r"\b(two|three|several|multiple|many|both|separate)\s+(\w+\s+)?"
                          r"(sources|reports|accounts)\b|(?<!no )(?<!not )(?<!without )"
                          r"\bindependent(ly)?\b|\bcorroborat\w*|\bconfirmed by\b", re.I)


def signature(folded: str) -> dict[int, int]:
    """The keys of the long sentences of a folded text, each with its number of words (~20 ms
    per MB: the 10k bench base's 6 MB in 0.12 s, half of it in the helper process)."""
    keys = {}
    for sentence in _SENTENCE.split(folded.lower()):
        spaces = sentence.count(" ")
        if spaces >= MIN_SENTENCE_WORDS - 1:
            keys[_key(sentence)] = spaces + 1
    return keys


def _key(sentence: str) -> int:
    data = sentence.encode("utf-8")  # two C checksums: 64 bits, the same in every process
    return zlib.crc32(data) << 32 | zlib.adler32(data)


def passage(folded: str, keys: set[int]) -> str | None:
    """The first sentence of `folded` whose key is one of `keys` (for a message)."""
    for sentence in _SENTENCE.split(folded):
        if sentence.count(" ") >= MIN_SENTENCE_WORDS - 1 and _key(sentence.lower()) in keys:
            return sentence.strip()
    return None


@dataclass
class Lines:
    """Which sources are one line of reporting, and what each pair shares."""

    line: dict[str, int]  # source id -> its line of reporting (sources alone are not in it)
    shared: dict[tuple[str, str], set[int]]  # (a, b) in source order -> shared sentence keys

    def of(self, sid: str) -> object:
        return self.line.get(sid, sid)

    def members(self, sid: str) -> list[str]:
        """The other sources of `sid`'s line of reporting."""
        mine = self.line.get(sid)
        return [] if mine is None else [s for s, n in self.line.items() if n == mine and s != sid]

    def pair(self, sids: list[str]) -> tuple[str, str, set[int]] | None:
        """Two of `sids` that share text, and the keys of what they share."""
        for i, a in enumerate(sids):
            for b in sids[i + 1:]:
                keys = self.shared.get((a, b)) or self.shared.get((b, a))
                if keys:
                    return a, b, keys
        # joined through a third source: name a link of the chain
        return next(((a, b, keys) for (a, b), keys in self.shared.items()
                     if a in sids or b in sids), None)


def lines_of_reporting(signatures: dict[str, dict[int, int]]) -> Lines:
    """Group the sources (in the order given) whose texts share SHARED_WORDS words of long
    sentences: every key counted at once, then only the texts that hold a shared one."""
    from collections import Counter
    from itertools import chain

    order = {sid: n for n, sid in enumerate(signatures)}
    # Counted in C; only the few keys found in two to MAX_HOLDERS texts are visited (more:
    # an outlet's boilerplate, not a report).
    counts = Counter(chain.from_iterable(signatures.values()))
    common = {key for key, n in counts.items() if 1 < n <= MAX_HOLDERS}
    holders: dict[int, list[str]] = {}
    for sid, keys in signatures.items():
        for key in keys.keys() & common:
            holders.setdefault(key, []).append(sid)
    met: dict[tuple[str, str], set[int]] = {}
    for key, sids in holders.items():  # in source order, as the texts were visited
        for i, a in enumerate(sids):
            for b in sids[i + 1:]:
                met.setdefault((a, b), set()).add(key)
    shared = {pair: keys for pair, keys in met.items()
              if sum(signatures[pair[0]][k] for k in keys) >= SHARED_WORDS}
    parent = {}

    def root(s: str) -> str:
        while parent.get(s, s) != s:
            s = parent[s]
        return s

    for a, b in shared:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb, key=order.get)] = min(ra, rb, key=order.get)
    members = {s for pair in shared for s in pair}
    roots = {s: root(s) for s in members}
    numbers = {r: n for n, r in enumerate(sorted(set(roots.values()), key=order.get))}
    return Lines({s: numbers[r] for s, r in sorted(roots.items(), key=lambda x: order[x[0]])},
                 shared)


def check(loader, texts, lines: Lines) -> None:
    """Located warnings: a credibility of 1 or 2 resting on sources of one line of reporting,
    and a judgment on one line of reporting whose wording or grade claims more."""
    from briefgen.characters import clip
    from briefgen.factbase.analysis import LIKELY, grounds
    from briefgen.factbase.history import rank

    base = loader.base
    if not lines.line:
        return

    def shown(a: str, b: str, keys: set[int]) -> str:
        text = passage(texts.text(a).folded, keys) if texts.readable(a) else None
        return f"sources '{a}' and '{b}' share text" + (f": “{clip(text, 90)}”" if text else "")

    for fid, fact in base.facts.items():
        sids = list(dict.fromkeys(c.source for c in fact.citations if c.source in base.sources))
        if fact.retracted or fact.credibility > 2 or len(sids) < 2 or \
                len({lines.of(s) for s in sids}) > 1:
            continue
        file, path = loader.paths[("facts", fid)]
        a, b, keys = lines.pair(sids)
        loader.report(file, loader.docs[file].pos(path + ("credibility",)),
                      f"credibility {fact.credibility} rests on one line of reporting ("
                      f"{shown(a, b, keys)})", id=fid, field="credibility", severity="warning",
                      hint="grade it as one report, or cite a source that reported it "
                           "independently")
    for jid, judgment in base.judgments.items():
        sids = list(dict.fromkeys(c.source for f in grounds(base, jid)
                                  for c in base.facts[f].citations if c.source in base.sources))
        if len(sids) < 2 or len({lines.of(s) for s in sids}) > 1:
            continue
        said = _CLAIMS_MORE.search(judgment.rationale or "")
        claim = next(((key, why) for key, why in (
            ("likelihood", rank(judgment.likelihood) > LIKELY and f"'{judgment.likelihood}'"),
            ("confidence", judgment.confidence == "high" and "high confidence"),
            ("rationale", said and f"rationale says “{clip(said.group(), 40)}”")) if why), None)
        if claim is None:
            continue
        file, path = loader.paths[("judgments", jid)]
        key, why = claim
        a, b, keys = lines.pair(sids)
        loader.report(file, loader.docs[file].pos(path + (key,)),
                      f"{why}, but it rests on one line of reporting ({shown(a, b, keys)})",
                      id=jid, field=key,
                      severity="warning", hint="say what one report can carry, or rest it on "
                                               "an independent source")
