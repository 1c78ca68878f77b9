"""`briefgen quote`: the closest passages as ready-to-paste YAML, read back and checked."""

import yaml
from hypothesis import given
from hypothesis import strategies as st

from briefgen.curate.quotefinder import yaml_quoted
from conftest import tiny_factbase, write

SECOND = ("Wire report\n\nMercenaries of the Wagner Group were seen near Tripoli, residents said; "
          "the government denied it.\n")


def base(tmp_path):
    facts = tiny_factbase(tmp_path)
    (facts / "sources" / "wire.txt").write_text(SECOND, encoding="utf-8")
    write(facts / "wire.yaml", """
        sources:
          - id: wire-2019
            title: Wire report
            publisher: Wire
            published: 2019-12
            file: sources/wire.txt
        """)
    return tmp_path


def test_a_remembered_quote_is_found_pasted_into_a_fact_and_passes_check(cli, tmp_path):
    root = base(tmp_path)
    result = cli("quote", "nato-watch-2013-06", "Haftar looked to Moscow for weapons", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == ("# 89% similar, line 5 of sources/nato.txt\n"
                             "- source: nato-watch-2013-06\n"
                             '  quote: "and Haftar looked to Moscow for arms"\n')
    citation = "".join("      " + line + "\n" for line in result.stdout.splitlines())
    (root / "facts" / "wire-facts.yaml").write_text(
        "facts:\n"
        "  - id: wagner-near-tripoli\n"
        "    statement: Residents saw Wagner mercenaries near Tripoli.\n"
        "    themes: [russian-motives]\n"
        "    date: 2013-06\n"
        "    citations:\n" + citation, encoding="utf-8")
    check = cli("check", cwd=root)
    assert (check.returncode, check.stderr) == (
        0, "facts/wire.yaml:2:9: warning: [wire-2019] source is cited by no fact "
           "(hint: cite it or remove it)\n"
           "checked 4 facts, 2 sources, 2 themes: 0 errors, 1 warning\n")


def test_blocks_best_first_separated_by_a_blank_line(cli, tmp_path):
    result = cli("quote", "nato-watch-2013-06", "NATO decided to send a delegation to Libya",
                 cwd=base(tmp_path))
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == [
        "# 74% similar, line 3 of sources/nato.txt", "# 58% similar, line 1 of sources/nato.txt"]
    first = yaml.safe_load(blocks[0])
    assert first == [{"source": "nato-watch-2013-06", "quote":
                      "On the morning of the 4 June Secretary General Anders Fogh Rasmussen "
                      "confirmed that NATO had decided to send an expert-level delegation to "
                      "Libya to identify areas where it can provide security assistance"}]


def test_any_searches_every_source_and_cuts_at_clauses(cli, tmp_path):
    result = cli("quote", "--any", "Wagner mercenaries were seen near Tripoli",
                 cwd=base(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n\n")[0] == (
        "# 93% similar, line 3 of sources/wire.txt\n"
        "- source: wire-2019\n"
        '  quote: "Mercenaries of the Wagner Group were seen near Tripoli"\n')


def test_nothing_similar_enough(cli, tmp_path):
    result = cli("quote", "--any", "purple elephants dancing on the moon tonight",
                 cwd=base(tmp_path))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("error: no passage of any source is at least 55% similar to "
                             "“purple elephants dancing on the moon tonight” (hint: try fewer, "
                             "more distinctive words)\n")


def test_unknown_source_says_which_one_was_meant(cli, tmp_path):
    result = cli("quote", "nato-watch-2013", "no troop deployment", cwd=base(tmp_path))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("error: unknown source 'nato-watch-2013' "
                             "(hint: did you mean 'nato-watch-2013-06'?)\n")


def test_a_source_id_or_any_but_not_both(cli, tmp_path):
    root = base(tmp_path)
    both = cli("quote", "--any", "wire-2019", "seen near Tripoli", cwd=root)
    assert (both.returncode, both.stderr) == (2, "error: give a source id or --any, not both\n")
    neither = cli("quote", "seen near Tripoli", cwd=root)
    assert (neither.returncode, neither.stderr) == (
        2, "error: give a source id, or --any to search every source\n")


@given(st.text())
def test_yaml_quoted_reads_back_exactly(text):
    assert yaml.safe_load(f"quote: {yaml_quoted(text)}") == {"quote": text}


def test_a_passage_loses_a_quotation_mark_whose_partner_was_cut_off():
    from briefgen.curate.quotefinder import _balanced

    assert _balanced("no nation ought to be providing material inside Libya.”") == \
        "no nation ought to be providing material inside Libya"
    assert _balanced("“We want to work with the Russians") == "We want to work with the Russians"
    assert _balanced("it said “no one is leaving the table yet”") == \
        "it said “no one is leaving the table yet”"
    assert _balanced('the "growing influence" of Russia') == 'the "growing influence" of Russia'


def test_at_equal_similarity_the_body_comes_before_a_headline(cli, tmp_path):
    root = base(tmp_path)
    (root / "facts" / "sources" / "wire.txt").write_text(
        "Eastern side refuses talks on foreign fighters\n\nTalks in Geneva stalled on Wednesday. "
        "Eastern side refuses talks on foreign fighters, officials said.\n", encoding="utf-8")
    result = cli("quote", "wire-2019", "eastern side refuses talks on foreign fighters", cwd=root)
    assert result.stdout.startswith(
        "# 100% similar, line 3 of sources/wire.txt\n- source: wire-2019\n"
        '  quote: "Eastern side refuses talks on foreign fighters"\n\n'
        "# 100% similar, line 1 of sources/wire.txt\n- source: wire-2019\n"
        '  quote: "Eastern side refuses talks on foreign fighters"\n')


def large_source(root, sentences: bool):
    """A 3 MB archived text with one real passage in the middle (with `sentences`, in
    sentences of 8-30 words; without, one run of words with no sentence end at all)."""
    import random

    rng = random.Random(7)
    vocab = ["".join(rng.choice("abcdefghiklmnoprstuvw") for _ in range(rng.randint(3, 9)))
             for _ in range(5000)]
    parts, size = [], 0
    while size < 3_000_000:
        part = " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 30)))
        part += ". " if sentences else " the the the "
        parts.append(part)
        size += len(part)
    parts.insert(len(parts) // 2, PASSAGE + " ")
    (root / "facts" / "sources" / "wire.txt").write_text("".join(parts), encoding="utf-8")


PASSAGE = ("The ministry said on Thursday that its delegation would stay in Geneva for one more "
           "week while the talks on the withdrawal of foreign fighters from the front lines south "
           "of Tripoli go on, adding that no one is leaving the table yet.")


def test_quote_in_a_large_source_is_bounded_as_check_is(cli, tmp_path):
    """Searched whole, 60 words against 3 MB took about 25 s (20 MB: 235 s); bounded as
    `check`'s closest-passage search, under a second or two."""
    import time

    root = base(tmp_path)
    large_source(root, sentences=True)
    started = time.monotonic()
    result = cli("quote", "wire-2019", "the ministry said on Thursday its delegation would stay "
                 "in Geneva one more week while talks on the withdrawal of foreign fighters from "
                 "front lines south of Tripoli go on, adding no one is leaving the table", cwd=root)
    assert time.monotonic() - started < 10
    assert result.returncode == 0, result.stderr
    assert "  quote: \"The ministry said on Thursday that its delegation would stay in Geneva" \
        in result.stdout


def test_a_repeated_word_in_a_text_without_sentences_stays_bounded(cli, tmp_path):
    """Each run of sentences was as long as the rest of the text: 23.9 GB for 20 MB."""
    import resource
    import time

    root = base(tmp_path)
    large_source(root, sentences=False)
    started = time.monotonic()
    result = cli("quote", "wire-2019", "the " * 60, cwd=root)
    assert time.monotonic() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2_000_000  # KB: under 2 GB
    assert (result.returncode, result.stderr) == (
        1, "error: no passage of source 'wire-2019' is at least 55% similar to “the the the the "
           "the the the the the the the the the the the…” (hint: try fewer, more distinctive "
           "words)\n")
