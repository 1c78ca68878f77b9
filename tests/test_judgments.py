"""`check` on judgments (ICD 203) and source status: every error and warning, exact lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.factbase.base import load_factbase
from conftest import write

SOURCE_TEXT = """\
A Russian envoy travelled to Benghazi on Tuesday to meet Khalifa Haftar and discuss the
offensive on Tripoli. Moscow wants a seat at any future settlement talks.
NATO officials said the alliance stands ready to help train Libyan security forces.
"""
OTHER_TEXT = "Diplomats in Rome said Moscow is courting both sides of the Libyan conflict.\n"

BASE = """\
sources:
  - id: wire
    title: Wire report
    publisher: Example Wire
    published: 2019-12-14
    file: sources/wire.txt
    reliability: B
  - id: blog
    title: A blog post
    publisher: Somebody
    published: 2019-12-14
    file: sources/blog.txt
    reliability: E
themes:
  - id: russian-motives
    title: Russian motives
facts:
  - id: envoy
    statement: A Russian envoy met Haftar in Benghazi.
    themes: [russian-motives]
    date: 2019-12-10
    credibility: 2
    citations:
      - source: wire
        quote: A Russian envoy travelled to Benghazi on Tuesday
  - id: seat
    statement: Moscow wants a seat at settlement talks.
    themes: [russian-motives]
    date: 2019-12-10
    credibility: 3
    citations:
      - source: wire
        quote: Moscow wants a seat at any future settlement talks
  - id: courting
    statement: Moscow courts both sides.
    themes: [russian-motives]
    date: 2019-12-10
    credibility: 5
    citations:
      - source: blog
        quote: Moscow is courting both sides of the Libyan conflict
"""


def judgment(jid: str, based_on: str, likelihood: str = "likely",
             confidence: str = "moderate", extra: str = "") -> str:
    """One judgment item; its lines: id 1, statement 2, themes 3, date 4, likelihood 5,
    confidence 6, based_on 7 (relative to the item's first line)."""
    return (f"  - id: {jid}\n    statement: Moscow is backing Haftar.\n"
            f"    themes: [russian-motives]\n    date: 2019-12\n"
            f"    likelihood: {likelihood}\n    confidence: {confidence}\n"
            f"    based_on: {based_on}\n{extra}")


def check(tmp_path: Path, monkeypatch, judgments: str = "", base: str = BASE) -> list[str]:
    write(tmp_path / "facts" / "sources" / "wire.txt", SOURCE_TEXT)
    write(tmp_path / "facts" / "sources" / "blog.txt", OTHER_TEXT)
    write(tmp_path / "facts" / "base.yaml", base)
    if judgments:
        (tmp_path / "facts" / "judgments.yaml").write_text("judgments:\n" + judgments,
                                                           encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return [str(d) for d in sorted(load_factbase(Path("facts")).diagnostics)]


def test_a_sound_judgment_is_clean(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch, judgment("backing", "[envoy, seat, courting]")) == []


def test_a_judgment_may_rest_on_another_judgment(tmp_path, monkeypatch):
    text = judgment("a", "[envoy, courting]") + judgment("b", "[a, seat]")
    assert check(tmp_path, monkeypatch, text) == []


def test_unknown_basis_suggests_the_close_id(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch, judgment("a", "[envoy, seet]")) == [
        "facts/judgments.yaml:8:23: error: [a] based_on[1]: unknown fact or judgment 'seet' "
        "(hint: did you mean 'seat'?)"]


def test_unknown_basis_with_nothing_close(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch, judgment("a", "[envoy, wagner-2019]")) == [
        "facts/judgments.yaml:8:23: error: [a] based_on[1]: unknown fact or judgment "
        "'wagner-2019' (hint: based_on lists ids of facts and judgments)"]


def test_unknown_theme_of_a_judgment(tmp_path, monkeypatch):
    text = judgment("a", "[envoy, seat]").replace("[russian-motives]", "[russian-motive]")
    assert check(tmp_path, monkeypatch, text) == [
        "facts/judgments.yaml:4:14: error: [a] themes[0]: unknown theme 'russian-motive' "
        "(hint: did you mean 'russian-motives'?)"]


def test_a_judgment_resting_on_itself(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch, judgment("a", "[envoy, a]")) == [
        "facts/judgments.yaml:8:23: error: [a] based_on[1]: a judgment cannot rest on itself "
        "(hint: name the facts it rests on)"]


def test_a_cycle_is_named_once_at_its_first_judgment(tmp_path, monkeypatch):
    text = (judgment("a", "[envoy, b]") + judgment("b", "[seat, c]")
            + judgment("c", "[a]"))
    assert check(tmp_path, monkeypatch, text) == [
        "facts/judgments.yaml:8:23: error: [a] based_on[1]: circular basis: a -> b -> c -> a "
        "(hint: one of these judgments must rest on facts, not on the others)"]


def test_two_cycles_are_both_reported(tmp_path, monkeypatch):
    text = (judgment("a", "[b]") + judgment("b", "[a]") + judgment("c", "[seat, d]")
            + judgment("d", "[c]"))
    lines = check(tmp_path, monkeypatch, text)
    assert [line.split(": error: ")[1] for line in lines] == [
        "[a] based_on[0]: circular basis: a -> b -> a (hint: one of these judgments must rest "
        "on facts, not on the others)",
        "[c] based_on[1]: circular basis: c -> d -> c (hint: one of these judgments must rest "
        "on facts, not on the others)"]


@pytest.mark.parametrize("term, hint", [
    ("Likely", "did you mean 'likely'?"),
    ("very likley", "did you mean 'very likely'?"),
    ("probable", "write 'likely', the ICD 203 term for 'probable'"),
    ("highly likely", "PHIA's 'highly likely' is 'very likely' on ICD 203, the desk's yardstick "
                      "('yardstick' in briefgen.toml)"),
    ("perhaps", "use one of: almost no chance, very unlikely, unlikely, roughly even chance, "
                "likely, very likely, almost certain"),
])
def test_likelihood_outside_the_scale(tmp_path, monkeypatch, term, hint):
    lines = check(tmp_path, monkeypatch, judgment("a", "[envoy, courting]", likelihood=term))
    assert lines == [f"facts/judgments.yaml:6:17: error: [a] likelihood: '{term}' is not a term "
                     f"of the ICD 203 yardstick (hint: {hint})"]


def phia_desk(tmp_path, yardstick: str = "phia") -> None:
    write(tmp_path / "briefgen.toml", f'[desk]\nyardstick = "{yardstick}"\n')


@pytest.mark.parametrize("term, hint", [
    ("very likely", "ICD 203's 'very likely' is 'highly likely' on PHIA, the desk's yardstick "
                    "('yardstick' in briefgen.toml)"),
    ("roughly even chance", "ICD 203's 'roughly even chance' is 'realistic possibility' on "
                            "PHIA, the desk's yardstick ('yardstick' in briefgen.toml)"),
    ("probable", "write 'likely', the PHIA term for 'probable'"),
    ("remote chanse", "did you mean 'remote chance'?"),
])
def test_a_phia_desk_refuses_terms_off_its_yardstick(tmp_path, monkeypatch, term, hint):
    phia_desk(tmp_path)
    lines = check(tmp_path, monkeypatch, judgment("a", "[envoy, courting]", likelihood=term))
    assert lines == [f"facts/judgments.yaml:6:17: error: [a] likelihood: '{term}' is not a term "
                     f"of the PHIA yardstick (hint: {hint})"]


def test_a_phia_desk_judges_in_phia_terms(tmp_path, monkeypatch):
    phia_desk(tmp_path)
    text = (judgment("a", "[envoy, courting]", likelihood="realistic possibility")
            + judgment("b", "[envoy, courting]", likelihood="highly likely"))
    assert check(tmp_path, monkeypatch, text) == []


def test_while_the_settings_are_wrong_either_yardstick_is_accepted(tmp_path, monkeypatch):
    phia_desk(tmp_path, "phai")
    text = (judgment("a", "[envoy, courting]", likelihood="realistic possibility")
            + judgment("b", "[envoy, courting]", likelihood="very likely"))
    assert check(tmp_path, monkeypatch, text) == [
        "briefgen.toml:2:13: error: desk.yardstick: 'phai' is not a valid yardstick (hint: "
        "write 'icd203' (US ICD 203) or 'phia' (UK PHIA probability yardstick))"]


# --- history and time frame ------------------------------------------------------------------

def revisions(*states: tuple[str, str, str]) -> str:
    """A `revisions:` list (lines 9 on) of (date, likelihood, confidence) states."""
    return "    revisions:\n" + "".join(
        f"      - date: {d}\n        likelihood: {lk}\n        confidence: {c}\n"
        f"        note: Why it changed.\n" for d, lk, c in states)


def test_revisions_in_order_before_the_judgment_are_clean(tmp_path, monkeypatch):
    text = judgment("a", "[envoy, seat]", extra=revisions(
        ("2019-10", "unlikely", "low"), ("2019-11-02", "roughly even chance", "low")))
    assert check(tmp_path, monkeypatch, text) == []


def test_revisions_out_of_order_are_located_errors(tmp_path, monkeypatch):
    text = judgment("a", "[envoy, seat]", extra=revisions(
        ("2019-11-02", "unlikely", "low"), ("2019-10", "roughly even chance", "low"),
        ("2019-12-20", "likely", "low")))
    assert check(tmp_path, monkeypatch, text) == [
        "facts/judgments.yaml:14:15: error: [a] revisions[1].date: revision dated 2019-10 is "
        "not after the one before it (2019-11-02) (hint: list revisions oldest first, each "
        "dated after the one before it)",
        "facts/judgments.yaml:18:15: error: [a] revisions[2].date: revision dated 2019-12-20 is "
        "not before the judgment's date (2019-12) (hint: the judgment's date is when its "
        "current terms began; revisions are the states before it)"]


def test_a_revision_term_off_the_yardstick_is_an_error(tmp_path, monkeypatch):
    text = judgment("a", "[envoy, seat]", extra=revisions(("2019-10", "unlikly", "low")))
    assert check(tmp_path, monkeypatch, text) == [
        "facts/judgments.yaml:11:21: error: [a] revisions[0].likelihood: 'unlikly' is not a "
        "term of the ICD 203 yardstick (hint: did you mean 'unlikely'?)"]


def test_a_forecast_without_a_horizon_is_a_warning(tmp_path, monkeypatch):
    forecast = judgment("a", "[envoy, seat]").replace("is backing", "will keep backing")
    assert check(tmp_path, monkeypatch, forecast) == [
        "facts/judgments.yaml:3:16: warning: [a] statement: forward-looking judgment (its "
        "statement says 'will') has no horizon (hint: add 'horizon:' with its time frame, e.g. "
        "'through June 2020')"]
    assert check(tmp_path, monkeypatch, forecast + "    horizon: through June 2020\n") == []


def test_confidence_outside_the_scale(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, judgment("a", "[envoy, seat]", confidence="hihg"))
    assert lines == [
        "facts/judgments.yaml:7:17: error: [a] confidence: 'hihg' is not one of 'low', "
        "'moderate' or 'high' (hint: did you mean 'high'?)"]


def test_duplicate_judgment_id(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, judgment("a", "[envoy]") + judgment("a", "[seat]"))
    assert lines == [
        "facts/judgments.yaml:9:9: error: [a] id: duplicate judgment id (also at "
        "facts/judgments.yaml:2:9) (hint: ids must be unique across all files: rename one)"]


def test_a_judgment_id_equal_to_a_fact_id(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, judgment("seat", "[envoy, courting]"))
    assert lines[0] == (
        "facts/judgments.yaml:2:9: error: [seat] id: judgment id is also a fact id (at "
        "facts/base.yaml:26:9) (hint: based_on names facts and judgments alike: rename one)")


def test_high_confidence_on_poorly_graded_facts_only(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, judgment("a", "[courting]", confidence="high"))
    assert lines == [
        "facts/judgments.yaml:7:17: warning: [a] confidence: high confidence, but every fact it "
        "rests on is graded E/F or 5-6 (courting) (hint: lower the confidence or rest it on "
        "better-graded facts)"]


def test_high_confidence_looks_through_judgments(tmp_path, monkeypatch):
    text = judgment("a", "[courting]") + judgment("b", "[a]", confidence="high")
    assert check(tmp_path, monkeypatch, text) == [
        "facts/judgments.yaml:14:17: warning: [b] confidence: high confidence, but every fact "
        "it rests on is graded E/F or 5-6 (courting) (hint: lower the confidence or rest it on "
        "better-graded facts)"]


def test_high_confidence_with_one_good_fact_is_fine(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch,
                 judgment("a", "[courting, seat]", confidence="high")) == []


@pytest.mark.parametrize("term", ["very likely", "almost certain"])
def test_strong_likelihood_on_one_source(tmp_path, monkeypatch, term):
    lines = check(tmp_path, monkeypatch, judgment("a", "[envoy, seat]", likelihood=term))
    assert lines == [
        f"facts/judgments.yaml:6:17: warning: [a] likelihood: '{term}' rests on one source "
        "only ('wire') (hint: corroborate it with another source, or say 'likely' at most)"]


def test_likely_on_one_source_is_fine(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch, judgment("a", "[envoy, seat]")) == []


# --- source status -----------------------------------------------------------------------------

def with_status(status: str, retract: str = "") -> str:
    text = BASE.replace("    reliability: B\n", "    reliability: B\n" + status, 1)
    if retract:
        text = text.replace(f"  - id: {retract}\n", f"  - id: {retract}\n    retracted: true\n")
    return text


WITHDRAWN = ("    status: withdrawn\n    status_date: 2019-12-20\n"
             "    status_note: The publisher withdrew the report.\n")


def test_a_fact_citing_a_withdrawn_source_is_an_error(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, base=with_status(WITHDRAWN))
    hint = "(hint: mark the fact 'retracted: true' to keep it for the record, or cite another source)"
    assert lines == [
        "facts/base.yaml:27:17: error: [envoy] citations[0].source: cites source 'wire', which "
        f"is withdrawn since 2019-12-20: The publisher withdrew the report. {hint}",
        "facts/base.yaml:35:17: error: [seat] citations[0].source: cites source 'wire', which "
        f"is withdrawn since 2019-12-20: The publisher withdrew the report. {hint}"]


def test_retracted_facts_of_a_withdrawn_source_pass(tmp_path, monkeypatch):
    text = with_status(WITHDRAWN, "envoy").replace("  - id: seat\n",
                                                   "  - id: seat\n    retracted: true\n")
    assert check(tmp_path, monkeypatch, base=text) == []


def test_a_discredited_source_without_date_or_note(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, base=with_status("    status: discredited\n", "seat"))
    assert lines == [
        "facts/base.yaml:25:17: error: [envoy] citations[0].source: cites source 'wire', which "
        "is discredited (hint: mark the fact 'retracted: true' to keep it for the record, or "
        "cite another source)"]


def test_a_disputed_source_warns_on_every_live_line(tmp_path, monkeypatch):
    status = "    status: disputed\n    status_note: Its figures are contested.\n"
    lines = check(tmp_path, monkeypatch, base=with_status(status, "seat"))
    assert lines == [
        "facts/base.yaml:26:17: warning: [envoy] citations[0].source: rests on source 'wire', "
        "which is disputed: Its figures are contested. (hint: readers are told in the note; "
        "corroborate it with another source)"]


def test_status_date_and_note_need_a_status(tmp_path, monkeypatch):
    text = with_status("    status_date: 2019-12-20\n    status_note: Why.\n")
    assert check(tmp_path, monkeypatch, base=text) == [
        "facts/base.yaml:8:5: error: [wire] status_date: status_date without a status (hint: "
        "add 'status: withdrawn', 'discredited' or 'disputed', or remove status_date)",
        "facts/base.yaml:9:5: error: [wire] status_note: status_note without a status (hint: "
        "add 'status: withdrawn', 'discredited' or 'disputed', or remove status_note)"]


def test_status_outside_the_list(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, base=with_status("    status: withdrwan\n"))
    assert lines[0] == (
        "facts/base.yaml:8:13: error: [wire] status: 'withdrwan' is not one of 'withdrawn', "
        "'discredited' or 'disputed' (hint: did you mean 'withdrawn'?)")


# --- judgments on retracted facts ----------------------------------------------------------------

def test_a_judgment_on_a_retracted_fact_is_a_warning(tmp_path, monkeypatch):
    text = with_status(WITHDRAWN, "envoy").replace("  - id: seat\n",
                                                   "  - id: seat\n    retracted: true\n")
    lines = check(tmp_path, monkeypatch, judgment("a", "[envoy, courting]"), base=text)
    assert lines == [
        "facts/judgments.yaml:8:16: warning: [a] based_on[0]: rests on retracted fact 'envoy' "
        "(hint: review the judgment and remove 'envoy' from based_on)"]


def test_a_judgment_on_retracted_facts_only_is_an_error(tmp_path, monkeypatch):
    text = with_status(WITHDRAWN, "envoy").replace("  - id: seat\n",
                                                   "  - id: seat\n    retracted: true\n")
    lines = check(tmp_path, monkeypatch, judgment("a", "[envoy, seat]"), base=text)
    assert lines == [
        "facts/judgments.yaml:8:15: error: [a] based_on: rests only on retracted facts (envoy, "
        "seat) (hint: withdraw the judgment or rest it on other facts)"]


def test_a_theme_with_only_judgments_is_not_empty(tmp_path, monkeypatch):
    text = BASE.replace("themes:\n", "themes:\n  - id: outlook\n    title: Outlook\n", 1)
    lines = check(tmp_path, monkeypatch,
                  judgment("a", "[envoy, seat]").replace("[russian-motives]", "[outlook]"),
                  base=text)
    assert lines == []
