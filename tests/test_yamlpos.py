"""YAML with positions: plain data, 1-based line/column of every node, problems never raised."""

from __future__ import annotations

import datetime
import math
import time

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from briefgen.factbase import yamlpos
from briefgen.factbase.yamlpos import load


def parse(tmp_path, text: str | bytes):
    path = tmp_path / "f.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load(path)


def messages(doc) -> list[str]:
    return [f"{line}:{col}: {message}" for (line, col), message, _ in doc.problems]


FILE = """\
# a comment line
facts:
  - id: nato-2013-no-troops
    statement: NATO ruled out troops.
    themes: [nato-security-assistance, other-theme]
    date: 2013-06-04
    credibility: 2
    citations:
      - source: nato-watch-2013-06
        quote: "there will be no troop deployment"
"""


def test_plain_data_and_positions_of_values_and_keys(tmp_path):
    doc = parse(tmp_path, FILE)
    assert doc.problems == []
    fact = doc.data["facts"][0]
    assert fact["id"] == "nato-2013-no-troops"
    assert fact["themes"] == ["nato-security-assistance", "other-theme"]
    assert fact["credibility"] == 2
    assert fact["citations"][0]["quote"] == "there will be no troop deployment"
    assert doc.values[("facts",)] == (3, 3)
    assert doc.values[("facts", 0)] == (3, 5)
    assert doc.values[("facts", 0, "id")] == (3, 9)
    assert doc.keys[("facts", 0, "id")] == (3, 5)
    assert doc.values[("facts", 0, "themes", 1)] == (5, 40)
    assert doc.values[("facts", 0, "date")] == (6, 11)
    assert doc.keys[("facts", 0, "citations", 0, "quote")] == (10, 9)
    assert doc.values[("facts", 0, "citations", 0, "quote")] == (10, 16)


def test_pos_falls_back_to_the_nearest_enclosing_node(tmp_path):
    doc = parse(tmp_path, FILE)
    assert doc.pos(("facts", 0, "kind")) == (3, 5)  # absent key: the fact itself
    assert doc.pos(("facts", 0, "citations", 0, "page")) == (9, 9)
    assert doc.pos(("facts", 0, "id"), key=True) == (3, 5)
    assert doc.pos(("nothing",)) == doc.values[()] == (2, 1)  # absent top key: the document


def test_dates_stay_text_and_scalars_resolve_like_yaml(tmp_path):
    doc = parse(tmp_path, """\
        day: 2013-06-04
        month: 2013-06
        year: 2013
        quoted_year: "2013"
        stamp: 2013-06-04 10:00:00
        nothing:
        tilde: ~
        yes_: true
        no_: false
        number: 2.5
        text: plain words
        single: 'it''s'
        """.replace("        ", ""))
    assert doc.problems == []
    assert doc.data == {"day": "2013-06-04", "month": "2013-06", "year": 2013,
                        "quoted_year": "2013", "stamp": "2013-06-04 10:00:00", "nothing": None,
                        "tilde": None, "yes_": True, "no_": False, "number": 2.5,
                        "text": "plain words", "single": "it's"}


YAML11_EXAMPLES = {  # plain scalar -> what PyYAML's safe loader gives (dates aside)
    "012": 10, "0x1F": 31, "0b101": 5, "+12": 12, "-0": 0, "1_000": 1000, "1:30": 90,
    "-1:30": -90, "190:20:30": 685230, "09": "09", "0o17": "0o17", "1:60": "1:60",
    ".inf": float("inf"), "-.INF": float("-inf"), "1.0e3": "1.0e3", "1.0e+3": 1000.0,
    "1e3": "1e3", ".5": 0.5, "-.5": "-.5", "0.": 0.0, "1:5:3.5": 3903.5,
    "~": None, "yes": True, "No": False, "on": True, "OFF": False, "y": "y",
    "2013-06-04": "2013-06-04", "0x_": "0x_",
}


@pytest.mark.parametrize("text", YAML11_EXAMPLES)
def test_plain_scalars_resolve_as_yaml_1_1(text):
    assert yamlpos._plain(text) == YAML11_EXAMPLES[text]
    assert type(yamlpos._plain(text)) is type(YAML11_EXAMPLES[text])


def test_nan_resolves_as_yaml_1_1():
    assert math.isnan(yamlpos._plain(".NaN"))


def _safe_load_as_briefgen_reads_it(text: str):
    """PyYAML's safe loader, with timestamps back as their text (briefgen keeps dates as text)."""
    data = yaml.safe_load(text)
    value = data["a"]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return text[3:].strip()
    return value


_SCALAR = st.one_of(
    st.text(st.sampled_from(list("0123456789_:.+-eExXbBoO")), min_size=1, max_size=12),
    st.from_regex(r"\A[-+]?[0-9_]{1,4}(:[0-9]{1,2}){0,3}(\.[0-9_]*)?([eE][-+]?[0-9]{1,2})?\Z"),
    st.from_regex(r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{2}:[0-9]{2})?\Z"),
    st.sampled_from(["~", "null", "NULL", "Null", "nUll", ".inf", ".Inf", "-.inf", "+.INF",
                     ".nan", ".NaN", "yes", "Yes", "YES", "yEs", "no", "on", "off", "y", "n",
                     "true", "False", "TRUE", "0b", "0x", "0b_1", "0x_F", "+0", "-0_7"]),
)


@settings(max_examples=200, deadline=None)
@given(_SCALAR)
@example("1:10:0:0.08")  # a base-60 float summed the wrong way round differs in its last digit
def test_plain_scalars_resolve_exactly_as_pyyaml(scalar):
    text = f"a: {scalar}\n"
    try:
        expected = _safe_load_as_briefgen_reads_it(text)
    except (yaml.YAMLError, ValueError):
        assume(False)  # the safe loader refuses it (a bad date or number): nothing to compare
    events = list(yaml.parse(text, Loader=yaml.CSafeLoader))
    assume(events[4].__class__ is yaml.ScalarEvent and not events[4].style)  # a plain scalar
    doc = yamlpos.YamlDoc()
    yamlpos._build(doc, iter(events))
    got = doc.data["a"]
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    else:
        assert (got, type(got)) == (expected, type(expected)), scalar


def test_quoted_scalars_are_always_strings(tmp_path):
    doc = parse(tmp_path, "a: 'true'\nb: \"null\"\nc: '6'\nd: \"\"\n")
    assert doc.data == {"a": "true", "b": "null", "c": "6", "d": ""}


def test_byte_order_mark_is_accepted(tmp_path):
    doc = parse(tmp_path, b"\xef\xbb\xbfthemes:\n  - id: t\n")
    assert doc.problems == []
    assert doc.data == {"themes": [{"id": "t"}]}
    assert doc.values[("themes", 0, "id")] == (2, 9)


def test_empty_and_comment_only_files_give_no_data(tmp_path):
    assert parse(tmp_path, "").data is None
    assert parse(tmp_path, "# only a comment\n").data is None
    assert parse(tmp_path, "").problems == []


def test_duplicate_key_is_reported_at_the_second_one_and_the_first_value_kept(tmp_path):
    doc = parse(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert messages(doc) == ["3:1: duplicate key 'a' (first at line 1)"]
    assert doc.data["a"] == 1


def test_nested_duplicate_key(tmp_path):
    doc = parse(tmp_path, "facts:\n  - id: x\n    date: 2013\n    date: 2014\n")
    assert messages(doc) == ["4:5: duplicate key 'date' (first at line 3)"]


def test_complex_mapping_key_is_refused(tmp_path):
    doc = parse(tmp_path, "? [a, b]\n: value\nok: 1\n")
    assert messages(doc) == ["1:3: mapping keys must be plain words"]
    assert doc.data == {"ok": 1}


def test_alias_is_refused_where_it_stands(tmp_path):
    doc = parse(tmp_path, "themes:\n  - &t\n    id: t-one\n  - *t\n")
    assert "4:5: YAML alias *t is not allowed in fact files" in messages(doc)
    assert doc.data["themes"][0] == {"id": "t-one"}
    assert doc.data["themes"][1] is None  # never a copy of the anchored node


def billion_laughs(levels: int = 10, width: int = 10) -> str:
    lines = ['l0: &l0 "lol"']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_answers_at_once_without_expanding(tmp_path):
    start = time.perf_counter()
    doc = parse(tmp_path, billion_laughs())  # 10**9 'lol's if expanded
    elapsed = time.perf_counter() - start
    assert "2:10: YAML alias *l0 is not allowed in fact files" in messages(doc)
    assert elapsed < 5, f"alias bomb took {elapsed:.1f}s: aliases are being expanded"
    assert len(doc.values) < 1000
    assert doc.data["l1"] == [None] * 10


def test_unsupported_tag_on_a_scalar(tmp_path):
    doc = parse(tmp_path, "facts: !!binary aGVsbG8=\n")
    assert "1:8: unsupported YAML tag tag:yaml.org,2002:binary" in messages(doc)


@pytest.mark.parametrize("text", ["facts: !!python/object:os.system []\n",
                                  "facts: !!set {a: 1}\n", "facts: !custom\n  - a\n"])
def test_unsupported_tag_on_a_collection(tmp_path, text):
    doc = parse(tmp_path, text)
    assert any(m.startswith("1:8: unsupported YAML tag") for m in messages(doc)), messages(doc)


def test_more_than_one_document_is_an_error(tmp_path):
    doc = parse(tmp_path, "themes: []\n---\nfacts: []\n")
    assert messages(doc) == ["2:1: more than one YAML document ('---') in the file"]


def test_syntax_error_is_located(tmp_path):
    doc = parse(tmp_path, "facts:\n  - id: x\n    statement: a: b\n")
    assert messages(doc) == ["3:17: YAML syntax: mapping values are not allowed in this context"]
    assert doc.problems[0][2] == "put text that contains ': ' in quotes"


def test_tab_in_indentation_is_located(tmp_path):
    doc = parse(tmp_path, "facts:\n  - id: x\n\tstatement: y\n")
    assert messages(doc) == ["3:1: YAML syntax: found a tab character that violates indentation"]


def test_non_utf8_byte_is_located(tmp_path):
    doc = parse(tmp_path, "facts:\n  - id: x\n    statement: café\n".encode("latin-1"))
    assert messages(doc) == ["3:19: not UTF-8 (byte 0xe9)"]
    assert doc.problems[0][2] == "save the file as UTF-8"


def test_control_character_is_located_on_one_line(tmp_path):
    doc = parse(tmp_path, 'facts:\n  - id: "a\x07b"\n')
    assert len(doc.problems) == 1
    (pos, message, _), = doc.problems
    assert pos == (2, 11)
    assert "\n" not in message and "<unicode string>" not in message
    assert "#x0007" in message


def test_file_over_the_size_limit_is_refused_without_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as f:  # sparse: costs no disk space
        f.truncate(yamlpos.MAX_FILE_BYTES + 1)
    start = time.perf_counter()
    doc = load(path)
    assert time.perf_counter() - start < 5
    assert messages(doc) == [f"1:1: file is {yamlpos.MAX_FILE_BYTES + 1:,} bytes, larger than "
                             f"the {yamlpos.MAX_FILE_BYTES:,} a fact file may have"]
    assert doc.data is None


def test_node_limit_bounds_the_work(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlpos, "MAX_NODES", 50)
    doc = parse(tmp_path, "facts:\n" + "".join(f"  - item {i}\n" for i in range(200)))
    assert len(doc.problems) == 1
    assert doc.problems[0][1] == "more than 50 YAML nodes in one file"


def test_deep_nesting_does_not_crash(tmp_path):
    depth = 2000
    doc = parse(tmp_path, "facts: " + "[" * depth + "]" * depth + "\n")
    assert doc.problems == [((1, 1007), "nested too deeply",
                             "fact files need four levels at most")]


def test_nesting_deeper_than_fact_files_need_is_refused(tmp_path):
    doc = parse(tmp_path, "facts: " + "[" * 100 + "]" * 100 + "\n")
    assert doc.problems == [((1, 71), "nested more than 64 levels deep",
                             "fact files need four levels at most")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#?,%@` \n\t\x85\u2028é")),
               max_size=60))
def test_any_text_gives_data_or_located_problems_never_an_exception(tmp_path, text):
    doc = parse(tmp_path, text)
    for (line, col), message, _hint in doc.problems:
        assert line >= 1 and col >= 1
        assert message and isinstance(message, str)
