"""Models of fact files: PartialDate at each precision, and the Pydantic models' contracts."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from briefgen.factbase.models import Citation, Fact, FactFile, PartialDate, Source, Theme

# --- PartialDate ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, parts, shown, precision", [
    ("2013", (2013, None, None), "2013", "year"),
    ("2013-06", (2013, 6, None), "June 2013", "month"),
    ("2013-06-04", (2013, 6, 4), "4 June 2013", "day"),
    ("2017-08-28", (2017, 8, 28), "28 August 2017", "day"),
    ("2019-12", (2019, 12, None), "December 2019", "month"),
    ("2020-01-01", (2020, 1, 1), "1 January 2020", "day"),
])
def test_partial_date_parses_and_displays_at_its_precision(text, parts, shown, precision):
    d = PartialDate.parse(text)
    assert (d.year, d.month, d.day) == parts
    assert d.display() == shown
    assert d.precision == precision
    assert str(d) == text  # round-trips to the form the analyst wrote


def test_partial_date_accepts_a_bare_year_as_yaml_gives_it():
    """`date: 2013` reaches the model as the integer 2013."""
    assert PartialDate.parse(2013) == PartialDate(2013)
    assert PartialDate.parse(2013).display() == "2013"


def test_partial_date_ignores_surrounding_white_space():
    assert PartialDate.parse(" 2013-06 ") == PartialDate(2013, 6)


def test_leap_day_is_a_real_date_only_in_leap_years():
    assert PartialDate.parse("2020-02-29").display() == "29 February 2020"
    assert PartialDate.parse("2000-02-29").last_day == date(2000, 2, 29)
    with pytest.raises(ValueError, match="not a real calendar date"):
        PartialDate.parse("2019-02-29")
    with pytest.raises(ValueError, match="not a real calendar date"):
        PartialDate.parse("1900-02-29")


@pytest.mark.parametrize("text, first, last", [
    ("2013", date(2013, 1, 1), date(2013, 12, 31)),
    ("2013-06", date(2013, 6, 1), date(2013, 6, 30)),
    ("2013-06-04", date(2013, 6, 4), date(2013, 6, 4)),
    ("2019-12", date(2019, 12, 1), date(2019, 12, 31)),  # year rollover
    ("2020-02", date(2020, 2, 1), date(2020, 2, 29)),  # leap February
    ("2019-02", date(2019, 2, 1), date(2019, 2, 28)),
    ("2013-01", date(2013, 1, 1), date(2013, 1, 31)),
])
def test_first_and_last_day_span_the_precision(text, first, last):
    d = PartialDate.parse(text)
    assert d.first_day == first
    assert d.last_day == last


@pytest.mark.parametrize("value, message", [
    ("2013-13-01", "'2013-13-01' is not a real calendar date"),
    ("2013-00", "'2013-00' is not a real calendar date"),
    ("2013-06-00", "'2013-06-00' is not a real calendar date"),
    ("2013-06-32", "'2013-06-32' is not a real calendar date"),
    ("2013-6-4", "'2013-6-4' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("13-06-04", "'13-06-04' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("04/06/2013", "'04/06/2013' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("4 June 2013", "'4 June 2013' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("2013-06-04T10:00", "'2013-06-04T10:00' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("20130604", "'20130604' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("", "'' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("2019-02-30", "'2019-02-30' is not a real calendar date"),
    ("2013-04-31", "'2013-04-31' is not a real calendar date"),
    ("0000", "'0000' is not a real calendar date"),
    (None, "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    (True, "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    (2013.5, "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ([2013], "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    (date(2013, 6, 4), "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"),
])
def test_partial_date_rejects_bad_values_with_a_clear_message(value, message):
    with pytest.raises(ValueError) as raised:
        PartialDate.parse(value)
    assert str(raised.value) == message


def test_partial_dates_order_chronologically_within_a_precision():
    days = [PartialDate.parse(t) for t in ("2013-06-04", "2013-05-27", "2012-12-31")]
    assert [str(d) for d in sorted(days)] == ["2012-12-31", "2013-05-27", "2013-06-04"]


# --- models -----------------------------------------------------------------------------------

SOURCE = {"id": "nato-watch-2013-06", "title": "NATO returns to Libya", "publisher": "NATO Watch",
          "published": "2013-06", "file": "sources/002_nato-watch.txt"}
FACT = {"id": "nato-2013-no-troops", "statement": "NATO ruled out deploying troops.",
        "themes": ["nato-security-assistance"], "date": "2013-06-04",
        "citations": [{"source": "nato-watch-2013-06",
                       "quote": "there will be no troop deployment"}]}


def test_defaults_are_the_ones_spec_gives():
    source = Source.model_validate(SOURCE)
    assert (source.language, source.reliability, source.author, source.url) == ("en", "F", None, None)
    assert isinstance(source.published, PartialDate)
    fact = Fact.model_validate(FACT)
    assert (fact.kind, fact.credibility, fact.actors, fact.tags) == ("event", 6, [], [])
    assert fact.date == PartialDate(2013, 6, 4)
    assert Theme.model_validate({"id": "t", "title": "T"}).summary is None


def test_dates_serialise_back_to_the_written_form():
    assert Fact.model_validate(FACT).model_dump()["date"] == "2013-06-04"
    assert Source.model_validate(SOURCE).model_dump(mode="json")["published"] == "2013-06"


def _errors(model, data) -> list[tuple]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return [(e["type"], tuple(e["loc"])) for e in raised.value.errors()]


@pytest.mark.parametrize("model, data, expected", [
    (Source, {**SOURCE, "publsher": "x"}, ("extra_forbidden", ("publsher",))),
    (Theme, {"id": "t", "title": "T", "sumary": "x"}, ("extra_forbidden", ("sumary",))),
    (Citation, {"source": "s-x", "quote": "a b c d", "page": 3}, ("extra_forbidden", ("page",))),
    (FactFile, {"facts": [], "notes": []}, ("extra_forbidden", ("notes",))),
    (Fact, {**FACT, "themes": []}, ("too_short", ("themes",))),
    (Fact, {**FACT, "citations": []}, ("too_short", ("citations",))),
    (Fact, {**FACT, "credibility": 7}, ("less_than_equal", ("credibility",))),
    (Fact, {**FACT, "credibility": 0}, ("greater_than_equal", ("credibility",))),
    (Fact, {**FACT, "credibility": "2"}, ("int_type", ("credibility",))),
    (Fact, {**FACT, "kind": "rumour"}, ("literal_error", ("kind",))),
    (Fact, {**FACT, "id": "Bad_Id"}, ("string_pattern_mismatch", ("id",))),
    (Fact, {**FACT, "statement": "   "}, ("string_too_short", ("statement",))),
    (Source, {**SOURCE, "reliability": "G"}, ("literal_error", ("reliability",))),
    (Source, {**SOURCE, "url": "ftp://example.org/x"}, ("value_error", ("url",))),
    (Source, {**SOURCE, "url": "javascript:alert(1)"}, ("value_error", ("url",))),
    (Source, {**SOURCE, "url": "https:///no-host"}, ("value_error", ("url",))),
    (Source, {**SOURCE, "language": "english"}, ("string_pattern_mismatch", ("language",))),
])
def test_models_reject_what_spec_forbids(model, data, expected):
    assert expected in _errors(model, data)


@pytest.mark.parametrize("slug", ["a", "nato-watch-2013-06", "x1-2-y3"])
def test_slugs_accepted(slug):
    Theme.model_validate({"id": slug, "title": "T"})


@pytest.mark.parametrize("slug", ["", "-a", "a-", "a--b", "A", "a_b", "a b", "é", "a.b"])
def test_bad_slugs_rejected(slug):
    assert ("string_pattern_mismatch", ("id",)) in _errors(Theme, {"id": slug, "title": "T"})


@pytest.mark.parametrize("url", ["http://example.org", "https://example.org/a?b=1&c=2#d"])
def test_http_and_https_urls_accepted(url):
    assert Source.model_validate({**SOURCE, "url": url}).url == url


@pytest.mark.parametrize("tag", ["en", "ar", "fr-BE", "zh-Hant-TW"])
def test_language_tags_accepted(tag):
    assert Source.model_validate({**SOURCE, "language": tag}).language == tag


def test_models_are_frozen():
    theme = Theme.model_validate({"id": "t", "title": "T"})
    with pytest.raises(ValidationError):
        theme.title = "other"
