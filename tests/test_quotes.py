"""Quote verification: the folding rules of docs/facts.md, ellipsis fragments, selectors, and properties."""

import re
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.factbase import quotes
from briefgen.factbase.quotes import DASHES, WHITE_SPACE, Miss, SourceText, Verified, fold, normalize

SOURCE = ("The General Secretary said there will be no troop deployment and any training "
          "activities would take place outside Libya.\n \nThis announcement was the "
          "Secretary General’s “expected outcome” — after talks in Tripoli and Benghazi.")


def text(s: str) -> SourceText:
    return SourceText(s.encode("utf-8"))


def test_dash_list_is_every_unicode_dash_plus_minus():
    """Every dash of Unicode 15.1: an older Python's database (3.10 has 13.0) lacks the newer
    ones, which fold all the same, so that quotes match alike on every Python."""
    pd = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Pd"}
    assert pd | {"\u2212"} <= set(DASHES) | {"-"}
    unknown_here = set(DASHES) - pd - {"\u2212"}
    assert {c for c in unknown_here if unicodedata.category(c) != "Cn"} == set()
    if unicodedata.unidata_version == "15.1.0":
        assert unknown_here == set()


def test_white_space_list_is_what_regex_s_matches_but_the_space():
    every = {chr(c) for c in range(sys.maxunicode + 1) if re.match(r"\s", chr(c))}
    assert set(WHITE_SPACE) == every - {" "}


def test_folding_rules():
    assert fold("“curly”  ‘quotes’\u00a0and\n\tdashes – — ‑ −") == \
        "\"curly\" 'quotes' and dashes - - - -"
    assert fold("ﬁne café") == "fine café"  # NFKC: ligature and precomposed accent
    assert fold("cafe\u0301") == "café"  # a combining accent composes with its base letter


def test_verified_quote_records_exact_text_context_and_offsets():
    result = text(SOURCE).verify('Secretary General\'s "expected outcome" - after talks')
    assert isinstance(result, Verified)
    (sel,) = result.selectors
    assert sel.exact == "Secretary General’s “expected outcome” — after talks"
    assert SOURCE[sel.start:sel.end] == sel.exact
    assert sel.prefix == SOURCE[sel.start - 32:sel.start]
    assert sel.suffix == SOURCE[sel.end:sel.end + 32]
    assert len(result.sha256) == 64


def test_white_space_runs_fold_across_lines():
    result = text(SOURCE).verify("outside Libya. This announcement was")
    assert isinstance(result, Verified)
    assert result.selectors[0].exact == "outside Libya.\n \nThis announcement was"


def test_matching_is_case_sensitive():
    result = text(SOURCE).verify("there will be NO troop deployment")
    assert isinstance(result, Miss)
    assert result.reason == "quote “there will be [NO] troop deployment” not found in the source"
    assert result.closest == "there will be no troop deployment"
    assert 90 <= result.similarity < 100


def test_ellipsis_joins_fragments_in_order():
    ok = text(SOURCE).verify("there will be no troop deployment … talks in Tripoli")
    assert isinstance(ok, Verified) and len(ok.selectors) == 2
    assert ok.exact == "there will be no troop deployment … talks in Tripoli"
    bad = text(SOURCE).verify("talks in Tripoli ... there will be no troop deployment")
    assert isinstance(bad, Miss)
    assert bad.reason == ("fragment “there will be no troop deployment” occurs only before the "
                          "previous fragment; ellipsis fragments must appear in source order")


def test_quote_shorter_than_four_words_is_refused():
    result = text(SOURCE).verify("no troop deployment")
    assert isinstance(result, Miss)
    assert result.reason == "quote has 3 words; at least 4 are needed to pin it to one passage"
    assert isinstance(text(SOURCE).verify("no troop ... deployment and"), Verified)


words = st.text(alphabet=st.characters(categories=("L", "N"), max_codepoint=0x6ff), min_size=1,
                max_size=8)
separators = st.sampled_from([" ", "  ", "\n", " \n\t ", "\u00a0"])


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=8, max_size=40), st.data())
def test_any_quote_cut_from_a_source_verifies(tokens, data):
    """Cut any 4+ word span from a source; vary its spacing and quote styles; it must verify."""
    pieces = []
    for i, token in enumerate(tokens):
        pieces += [token, data.draw(separators) if i % 3 else " ’"]
    source = "".join(pieces)
    start = data.draw(st.integers(0, len(tokens) - 4))
    length = data.draw(st.integers(4, len(tokens) - start))
    cut = pieces[2 * start:2 * (start + length) - 1]
    quote = "".join(p if k % 2 == 0 else
                    (" '" if "’" in p else data.draw(separators)) for k, p in enumerate(cut))
    result = SourceText(source.encode()).verify(quote)
    assert isinstance(result, Verified), (source, quote, result)
    sel = result.selectors[0]
    assert fold(source[sel.start:sel.end]) == fold(quote)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij", min_size=3, max_size=6), min_size=6,
                max_size=20, unique=True), st.data())
def test_a_changed_word_does_not_verify(tokens, data):
    source = " ".join(tokens)
    start = data.draw(st.integers(0, len(tokens) - 4))
    quote = tokens[start:start + 4]
    i = data.draw(st.integers(0, 3))
    quote[i] = quote[i] + "x"
    assert isinstance(SourceText(source.encode()).verify(" ".join(quote)), Miss)


@given(st.text(max_size=200))
def test_normalize_offsets_point_into_the_original(s):
    folded, offsets = normalize(s)
    mapped = [offsets[i] for i in range(len(folded))]
    assert len(offsets) == len(folded)
    assert mapped == sorted(mapped)
    assert all(0 <= o < len(s) for o in mapped)


# Texts like archived sources: words, every kind of white space, curly quotes, dashes, accents
# precomposed and combining, ligatures, Arabic, and characters NFKC changes.
_pieces = st.sampled_from(["word", "Libya", "café", "e\u0301", "\u0301", "ﬁ", "عربي", "…", "½",
                           "“", "”", "’", "—", "–", "-", '"', "'", "x", "9"]
                          + list(quotes.WHITE_SPACE) + [" ", "  ", "\r\n"])


@given(st.lists(_pieces, max_size=40).map("".join))
def test_fast_folding_equals_folding_run_by_run(s):
    """The whole-text fast path gives exactly what folding every run on its own gives."""
    assert _mapping(normalize(s)) == _mapping(quotes._fold(s, quotes._SPECIAL))


def _mapping(result):
    folded, offsets = result
    return folded, len(offsets), [offsets[i] for i in range(len(folded) + 1)]


@given(st.lists(_pieces, max_size=40).map("".join))
def test_folding_spaces_in_bulk_equals_folding_run_by_run(s):
    """Same text, same breakpoints: offsets into the archived text stay exactly as they were."""
    s = quotes._translate(s)
    ours, theirs = quotes._fold_spaces(s), quotes._fold(s, quotes._LONG_SPACES)
    assert (ours[0], ours[1].folded, ours[1].original, len(ours[1])) == \
        (theirs[0], theirs[1].folded, theirs[1].original, len(theirs[1]))


@given(st.lists(_pieces, max_size=40).map("".join))
def test_folding_a_quote_equals_normalizing_it(s):
    assert fold(s) == normalize(s)[0].strip()


def test_fast_folding_examples():
    for s in ["a\u00a0b  c\n\nd", "caf\u00e9 \u2014 \u201cq\u201d", "x\u202f:\ty", "e\u0301\u00a0z"]:
        assert _mapping(normalize(s)) == _mapping(quotes._fold(s, quotes._SPECIAL))
