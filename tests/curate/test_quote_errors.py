"""Misquotes: the hint shows where the quote departs from the source, and a wrong source."""

from briefgen.factbase.quotes import SourceText, word_diff
from conftest import tiny_factbase, write

LONG = ("Forces loyal to Khalifa Haftar advanced towards the capital from the south on Thursday, "
        "and by the evening their columns had reached the outskirts of Tripoli, residents said.")


def base(tmp_path, quote: str, source: str = "wire-2019"):
    facts = tiny_factbase(tmp_path)
    (facts / "sources" / "wire.txt").write_text(f"Wire\n\n{LONG}\n", encoding="utf-8")
    write(facts / "wire.yaml", f"""
        sources:
          - id: wire-2019
            title: Wire report
            publisher: Wire
            published: 2019-04
            file: sources/wire.txt
        facts:
          - id: haftar-advance
            statement: Haftar's forces reached the outskirts of Tripoli.
            themes: [russian-motives]
            date: 2013-06
            citations:
              - source: {source}
                quote: "{quote}"
        """)
    return tmp_path


def test_a_misquote_at_the_end_of_a_long_quote_is_shown_not_cut_off(cli, tmp_path):
    quote = LONG.replace("Tripoli,", "Tripolis,").rstrip(".")
    result = cli("check", cwd=base(tmp_path, quote))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "facts/wire.yaml:14:16: error: [haftar-advance] citations[0].quote: quote “… reached the "
        "outskirts of [Tripolis], residents said” not found in the source (hint: “Tripolis” → "
        "“Tripoli”; closest passage (99% similar): “… reached the outskirts of [Tripoli], "
        "residents said”)")


def test_a_quote_found_in_another_source_says_so(cli, tmp_path):
    quote = "their columns had reached the outskirts of Tripoli"
    result = cli("check", cwd=base(tmp_path, quote, source="nato-watch-2013-06"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "facts/wire.yaml:2:9: warning: [wire-2019] source is cited by no fact (hint: cite it or "
        "remove it)",
        "facts/wire.yaml:14:16: error: [haftar-advance] citations[0].quote: quote “their columns "
        "had reached the outskirts of Tripoli” not found in the source (hint: found in source "
        "'wire-2019'; did you cite the wrong source?)",
        "error: fact base has 1 error, 1 warning"]


def test_word_diff_marks_words_added_dropped_and_changed():
    quote, passage, changes = word_diff("the troops quickly advanced on Tripolis at dawn",
                                        "the troops advanced on Tripoli early at dawn")
    assert quote == "the troops [quickly] advanced on [Tripolis] at dawn"
    assert passage == "the troops advanced on [Tripoli early] at dawn"
    assert changes == "drop “quickly”, “Tripolis” → “Tripoli early”"


def test_word_diff_never_cuts_before_the_first_difference():
    words = [f"w{i}" for i in range(60)]
    changed = words[:50] + ["X"] + words[51:]
    quote, passage, _ = word_diff(" ".join(changed), " ".join(words))
    assert quote == "… w46 w47 w48 w49 [X] w51 w52 w53 w54 …"
    assert passage == "… w46 w47 w48 w49 [w50] w51 w52 w53 w54 …"


def test_contains_is_exact_and_in_order():
    text = SourceText(b"one two three four. five six seven eight")
    assert text.contains("two three four. five")
    assert text.contains("one two three … six seven eight")
    assert not text.contains("six seven eight … one two three")
    assert not text.contains("Two three four")


def test_quote_refuses_a_source_linked_outside_facts_as_check_does(cli, tmp_path):
    """One rule for reading archived texts: `quote` used to read and print a file that `check`
    refuses (a link from facts/sources/ to a file elsewhere on the machine)."""
    root = base(tmp_path, LONG)
    secret = tmp_path / "secret.txt"
    secret.write_text("The password of the mail server is swordfish and nobody knows it.\n",
                      encoding="utf-8")
    (root / "facts" / "sources" / "wire.txt").unlink()
    (root / "facts" / "sources" / "wire.txt").symlink_to(secret)
    check = cli("check", cwd=root)
    assert check.returncode == 1
    assert ("facts/wire.yaml:6:11: error: [wire-2019] file: file 'sources/wire.txt' is outside "
            "the facts folder (hint: archive the text under facts/sources/)"
            in check.stderr.splitlines())
    assert cli("quote", "wire-2019", "password of the mail server") == (
        1, "", "error: source 'wire-2019': archived file 'sources/wire.txt' is outside the facts "
               "folder (hint: archive the text under facts/sources/; briefgen check says more)\n")
