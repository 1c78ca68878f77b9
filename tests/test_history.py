"""What a week did to a judgment: new, revised, reaffirmed or standing (pure, no I/O)."""

from __future__ import annotations

from datetime import date

import pytest

from briefgen.factbase.history import change_in, direction, rank, state_on, states
from briefgen.factbase.models import YARDSTICKS, Judgment, PartialDate

W49 = (date(2019, 12, 2), date(2019, 12, 8))
W50 = (date(2019, 12, 9), date(2019, 12, 15))
W51 = (date(2019, 12, 16), date(2019, 12, 22))


def judgment(date_: str = "2019-12-13", likelihood: str = "very likely",
             confidence: str = "moderate", revisions: tuple = ()) -> Judgment:
    return Judgment.model_validate({
        "id": "j", "statement": "Backers will go on breaching the embargo.", "themes": ["t"],
        "date": date_, "likelihood": likelihood, "confidence": confidence, "based_on": ["f"],
        "revisions": [{"date": d, "likelihood": lk, "confidence": c, "note": n}
                      for d, lk, c, n in revisions]})


REVISED = judgment(revisions=(("2019-12-06", "likely", "low", "New reporting."),))


def days(text: str) -> PartialDate:
    return PartialDate.parse(text)


def test_a_judgment_revised_in_a_week_is_new_in_its_first_week_and_revised_in_the_second():
    new = change_in(REVISED, *W49)
    assert (new.status, new.state.likelihood, new.state.confidence) == ("new", "likely", "low")
    revised = change_in(REVISED, *W50)
    assert revised.status == "revised"
    assert (revised.before.likelihood, revised.before.confidence) == ("likely", "low")
    assert (revised.state.likelihood, revised.state.confidence) == ("very likely", "moderate")
    assert revised.before.note == "New reporting."
    assert change_in(REVISED, *W51).status == "standing"


def test_before_it_was_made_a_judgment_is_absent():
    assert change_in(REVISED, date(2019, 11, 25), date(2019, 12, 1)) is None
    assert state_on(REVISED, date(2019, 12, 5)) is None
    assert state_on(REVISED, date(2019, 12, 6)).likelihood == "likely"


def test_a_fact_of_the_week_beneath_it_reaffirms_a_standing_judgment():
    grounds = [days("2019-12"), days("2019-12-18")]
    assert change_in(REVISED, *W51, grounds).status == "reaffirmed"
    assert change_in(REVISED, *W51, [days("2019-12")]).status == "standing"  # not to the day


def test_a_revision_with_the_same_terms_reaffirms():
    same = judgment(revisions=(("2019-12-06", "very likely", "moderate", None),))
    change = change_in(same, *W50)
    assert (change.status, change.before.date) == ("reaffirmed", days("2019-12-06"))


def test_a_date_known_only_to_the_month_is_never_new_in_a_week():
    monthly = judgment("2019-12")
    assert [change_in(monthly, *w).status for w in (W49, W50, W51)] == ["standing"] * 3
    assert change_in(monthly, date(2019, 11, 18), date(2019, 11, 24)) is None


def test_two_changes_in_one_week_read_from_the_state_before_the_first():
    twice = judgment(revisions=(("2019-12-01", "unlikely", "low", "a"),
                                ("2019-12-10", "likely", "low", "b")))
    change = change_in(twice, *W50)
    assert (change.status, change.before.likelihood, change.state.likelihood) == (
        "revised", "unlikely", "very likely")
    assert [s.likelihood for s in states(twice)] == ["unlikely", "likely", "very likely"]


@pytest.mark.parametrize("before, after, step", [
    ("likely", "very likely", 1), ("highly likely", "likely", -1), ("unlikely", "unlikely", 0),
    ("remote chance", "almost no chance", 0)])
def test_terms_compare_by_their_rank_on_either_yardstick(before, after, step):
    assert direction(before, after, YARDSTICKS["icd203"]) == step
    assert rank("realistic possibility") == rank("roughly even chance") == 3
