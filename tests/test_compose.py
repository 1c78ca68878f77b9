"""The composer: templates in, brief model out; fact text stays data; every line is cited."""

import time
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefgen import resources
from briefgen.api import check
from briefgen.compose.specs import created_at, theme_spec, weekly_spec
from briefgen.compose.composer import Spec, compose
from briefgen.compose.inline import InlineParser
from briefgen.compose import jinja_parts, templating
from briefgen.errors import BuildError, TemplateError
from conftest import ROOT, tiny_factbase, write

TEMPLATES = ROOT / "templates"
# the short grading key the bundled templates print where the first grading appears
LEGEND = ("Gradings: the letter rates the source, from A (completely reliable) to F (cannot be "
          "judged); the digit rates the information, from 1 (confirmed by other sources) to 6 "
          "(cannot be judged). Full key in the annex.")
TRICKY_FACT = """
    facts:
      - id: tricky
        statement: "<b>bold?</b> & {{ 7*7 }} **stars** [link](http://x) # not a heading"
        themes: [nato-security-assistance]
        date: 2013-06-04
        citations:
          - source: nato-watch-2013-06
            quote: to identify areas where it can provide security assistance
    """


@pytest.fixture
def base(tmp_path):
    return check(tiny_factbase(tmp_path, TRICKY_FACT))


def spec_for(base, template: str, themes=None) -> Spec:
    spec = theme_spec(base, "nato-security-assistance")
    spec.template = template
    return spec


@pytest.mark.parametrize("first, last, span", [
    ("2013-06-04", "2013-06-09", "4–9 June 2013"),
    ("2013-05-28", "2013-06-09", "28 May – 9 June 2013"),
    ("2012-12-28", "2013-06-09", "28 December 2012 – 9 June 2013"),
    ("2013-06", "2013-06-09", "June 2013 – 9 June 2013"),  # a month: said in full
])
def test_a_theme_briefs_dates_name_the_year_and_month_once(tmp_path, first, last, span):
    extra = "themes:\n  - id: dated\n    title: Dated\nfacts:\n" + "".join(f"""
  - id: nato-{i}
    statement: NATO said something.
    themes: [dated]
    date: {date}
    credibility: 2
    citations:
      - source: nato-watch-2013-06
        quote: send an expert-level delegation to Libya
""" for i, date in enumerate((first, last)))
    base = check(tiny_factbase(tmp_path, extra))
    brief = compose(base, TEMPLATES, theme_spec(base, "dated"))
    assert brief.subtitle == f"Theme brief · {span}"  # the readers' edition counts nothing
    review = compose(base, TEMPLATES, theme_spec(base, "dated", annotated=True))
    assert review.subtitle == f"Theme brief · {span} · 2 facts"


def test_theme_brief_model(base):
    brief = compose(base, TEMPLATES, theme_spec(base, "nato-security-assistance"))
    assert brief.name == "theme-nato-security-assistance"
    assert brief.title == "NATO security assistance"
    assert brief.subtitle == "Theme brief · 4 June 2013"
    kinds = [(b.kind, b.text) for b in brief.blocks if b.kind != "bullet"]
    assert kinds == [("note", "What NATO offers Libya and on what terms."),
                     ("heading", "Our assessment"),  # a theme without judgments says so
                     ("note", "We have made no assessment on this theme; what follows is what "
                              "the sources report."),
                     ("heading", "2013"), ("note", LEGEND)]
    bullets = [b for b in brief.blocks if b.kind == "bullet"]
    assert [b.fact_ids for b in bullets] == [("nato-2013-delegation",), ("nato-2013-no-troops",),
                                            ("tricky",)]
    # the year is the heading's: a line under it says the day and month only; whose statement
    # it is follows it; the grading label is held together by no-break spaces
    assert bullets[1].text == ("4 June — NATO ruled out deploying troops; any training "
                               "would take place outside Libya. (according to Anders Fogh "
                               "Rasmussen) C2\u00a0·\u00a0statement")
    assert [c.number for c in brief.cites] == [1, 2, 3]
    (source,) = brief.sources
    assert (source.number, source.anchor, source.published) == (1, "src_1", "June 2013")
    assert all(c.source is source for c in brief.cites)
    assert [q.fact_ids for q in source.quotes] == [("nato-2013-delegation",),
                                                   ("nato-2013-no-troops",), ("tricky",)]


def test_fact_text_is_data_never_markup_or_template_code(base):
    brief = compose(base, TEMPLATES, theme_spec(base, "nato-security-assistance"))
    (line,) = [b for b in brief.blocks if b.fact_ids == ("tricky",)]
    assert "<b>bold?</b> & {{ 7*7 }} **stars** [link](http://x) # not a heading" in line.text
    assert not any(r.bold for r in line.inlines[1:-1] if hasattr(r, "bold") and "stars" in r.text)


def test_uncited_line_fails_naming_the_template_line(base, tmp_path):
    write(tmp_path / "t" / "bad.md.j2", """
        ## Heading is exempt
        > a note is exempt
        {% for theme in themes %}
        {% for fact in theme.facts %}
        - {{ fact.statement }}
        {% endfor %}
        {% endfor %}

        A paragraph with a citation {{ cite(themes[0].facts[0]) }}
        """)
    with pytest.raises(BuildError) as e:
        compose(base, tmp_path / "t", spec_for(base, "bad.md.j2"))
    lines = e.value.lines()
    assert lines[1].endswith("t/bad.md.j2:5: error: this bullet has no citation: “NATO decided "
                             "to send experts to Libya to identify where it can help.” (hint: "
                             "every bullet and paragraph needs {{ cite(fact) }}; notes (> ...) "
                             "and headings are exempt)")
    assert len(lines) == 4
    assert lines[-1] == "error: template has 3 errors, 0 warnings"


# Template mistakes are located diagnostics, the file the error is in, never a traceback.
BOUNDS = "(hint: a brief needs far less; loop over facts and themes, not over numbers)"


@pytest.mark.parametrize("source, message", [
    ("{% for x in %}", "bad.md.j2:1: error: Expected an expression, got 'end of statement block'"
     " (hint: check the {{ }} and {% %} tags around this line; see `briefgen docs templates`)"),
    # a tag left open: the line it opens on, not the line where Jinja's lexer gave up
    ("# Title\n\n{{ year\n\n{% for t in themes %}\n- {% if t %}**{{ t.title }}** — x{% endif %}\n"
     "{% endfor %}", "bad.md.j2:3: error: '{{' is not closed by '}}' (hint: end the tag with '}}' "
     "on the line it starts)"),
    ("{% for t in themes %\n- {% if t %}**{{ t.title }}** — x{% endif %}\n{% endfor %}",
     "bad.md.j2:1: error: '{%' is not closed by '%}' (hint: end the tag with '%}' on the line it "
     "starts)"),
    ("a\n{{ x — }}", "bad.md.j2:2: error: unexpected char '—' (hint: check the {{ }} and {% %} "
     "tags around this line; see `briefgen docs templates`)"),
    ("ok\n{{ nope.title }} {{ cite(themes[0].facts[0]) }}", "bad.md.j2:2: error: 'nope' is undefined"),
    ("ok\n{{ them }}", "bad.md.j2:2: error: 'them' is undefined (hint: did you mean 'themes'?)"),
    ("{% for theme in themes %}{% for fact in theme.facts %}\n- {{ fact.statment }} {{ cite(fact) }}"
     "\n{% endfor %}{% endfor %}",
     "bad.md.j2:2: error: fact has no field 'statment' (hint: did you mean 'statement'?)"),
    ("{% for theme in themes %}\n{{ theme.facs }}{% endfor %}",
     "bad.md.j2:2: error: theme has no field 'facs' (hint: did you mean 'facts'?)"),
    ("{{ ''.__class__.__mro__ }}", "bad.md.j2:1: error: access to attribute '__class__' of 'str' "
     "object is unsafe. (hint: templates may only read the values they are given)"),
    # the views' fields are read without the sandbox's checks; their internals are still refused
    ("{{ themes[0].facts[0].__class__ }}", "bad.md.j2:1: error: access to attribute '__class__' "
     "of 'FactView' object is unsafe. (hint: templates may only read the values they are given)"),
    ("{{ themes[0]['__init__'] }}", "bad.md.j2:1: error: access to attribute '__init__' of "
     "'ThemeView' object is unsafe. (hint: templates may only read the values they are given)"),
    ("{{ themes[0].facts[0].statement.format.__globals__ }}", "bad.md.j2:1: error: access to "
     "attribute '__globals__' of 'function' object is unsafe. (hint: templates may only read the "
     "values they are given)"),
    ("a\n\n{{ 1/0 }}", "bad.md.j2:3: error: division by zero"),
    # Jinja says the end of the file; the block left open is the one at line 2, not the if at 4
    ("a\n{% for t in themes %}\n{% set x %}y{% endset %}{% set z = 1 %}\n{% if t %}x{% endif %}\n"
     "{% if z %}\n{% endif %}\nend\n", "bad.md.j2:2: error: '{% for %}' is never closed (hint: add "
     "'{% endfor %}' where its block ends; Jinja reached the end of the file looking for it)"),
    ("{{ themes|first|round }}",
     "bad.md.j2:1: error: type ThemeView doesn't define __round__ method (TypeError)"),
    ("a\n{{ themes|nofilter }}", "bad.md.j2:2: error: No filter named 'nofilter'."
     " (hint: check the {{ }} and {% %} tags around this line; see `briefgen docs templates`)"),
    ("a\n{{ themes|lenght }}", "bad.md.j2:2: error: No filter named 'lenght'. "
     "(hint: did you mean 'length'?)"),
    ("{{ themes is sequnce }}", "bad.md.j2:1: error: No test named 'sequnce'. "
     "(hint: did you mean 'sequence'?)"),
    ("{% for i in range(10**9) %}{% endfor %}",
     "bad.md.j2:1: error: range of 1,000,000,000 items; at most 100,000 are allowed"),
    ("a\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "bad.md.j2:2: error: stopped after 2,000,000 loop steps over range(); a brief needs far "
     "fewer (hint: loop over facts and themes, not over numbers)"),
    ("{{ 'x' * 10**9 }}", "bad.md.j2:1: error: repeating 1 items 1,000,000,000 times is too much"),
    # what one step would make is refused before it is made (issue 28, item 6)
    ("{{ 'x'.ljust(1500000000) }}", "bad.md.j2:1: error: ljust() would make a value of "
     f"1,500,000,000 characters; at most 10,000,000 are allowed {BOUNDS}"),
    ("{{ 'x'|center(1500000000) }}", "bad.md.j2:1: error: |center would make a value of "
     f"1,500,000,000 characters or items; at most 10,000,000 are allowed {BOUNDS}"),
    ("{{ '{:>1500000000}'.format('x') }}", "bad.md.j2:1: error: format spec '>1500000000' asks "
     f"for 1,500,000,000 characters; at most 10,000,000 are allowed {BOUNDS}"),
    ("{{ '%1500000000s' % 'x' }}", "bad.md.j2:1: error: '%' asks for a field of 1,500,000,000 "
     f"characters; at most 10,000,000 are allowed {BOUNDS}"),
    ("{% set ns = namespace(s='x') %}\n{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
     "{% endfor %}", "bad.md.j2:2: error: '~' would make a text of 16,777,216 characters; at "
     f"most 10,000,000 are allowed {BOUNDS}"),
    ("{% set ns = namespace(s='x') %}\n{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
     "{% endfor %}", "bad.md.j2:2: error: '+' would make a value of 16,777,216 characters or "
     f"items; at most 10,000,000 are allowed {BOUNDS}"),
    ("{% set s = 'x' * 9000000 %}{{ ''.join([s] * 1000) }}", "bad.md.j2:1: error: join() would "
     f"make a value of 9,000,000,000 characters; at most 10,000,000 are allowed {BOUNDS}"),
    ("{% set s = 'x' * 9000000 %}{{ [s] * 1000 }}", "bad.md.j2:1: error: printing a value would "
     f"write out a value of more than 10,000,000 characters {BOUNDS}"),
    ("{% set ns = namespace(n=10**999) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}"
     "{% endfor %}", "bad.md.j2:1: error: a number of 53,098 bits * a number of 53,098 bits is "
     "too large to compute"),
    ("{{ ([[1]] * 1000)|sum(start=[]) }}", "bad.md.j2:1: error: sum() adds numbers: its start "
     "must be a number (hint: join lists of text with |join)"),
    ("{{ 2 ** 100000000 }}", "bad.md.j2:1: error: 2 ** 100000000 is too large to compute"),
    ("{% macro m(x) %}\n{{ m(x) }}{% endmacro %}\n{{ m(1) }}",
     "bad.md.j2:2: error: a macro or include calls itself without end (hint: give the recursion "
     "a condition that stops it)"),
    ("- a {{ cite('no-such') }}", "bad.md.j2:1: error: cite('no-such'): no fact or judgment "
     "has this id (hint: cite a fact, e.g. cite(fact) inside {% for fact in theme.facts %})"),
    ("- a {{ cite('nato-2013-no-troop') }}", "bad.md.j2:1: error: cite('nato-2013-no-troop'): "
     "no fact or judgment has this id (hint: did you mean 'nato-2013-no-troops'?)"),
    ("{% for theme in themes %}\n- a {{ cite(theme) }}\n{% endfor %}",
     "bad.md.j2:2: error: cite() takes facts, judgments or their ids, not a theme (hint: cite "
     "each fact: "
     "{% for fact in theme.facts %}…{{ cite(fact) }})"),
    ("{% for theme in themes %}\n- a {{ cite(theme.title) }}\n{% endfor %}",
     "bad.md.j2:2: error: cite('NATO security assistance'): no fact or judgment has this id "
     "(hint: cite a fact, e.g. cite(fact) inside {% for fact in theme.facts %})"),
    ("## text\n- a last line with no newline", "bad.md.j2:2: error: this bullet has no citation: "
     "“a last line with no newline” (hint: every bullet and paragraph needs {{ cite(fact) }}; "
     "notes (> ...) and headings are exempt)"),
    ("{% macro cover(word_count, lines) %}\n{{ cite(themes[0].facts[0]) }} on the cover\n"
     "{% endmacro %}\n- a {{ cite(themes[0].facts[0]) }}",
     "bad.md.j2:2: error: the cover cannot cite facts: “on the cover” (hint: cite facts in the "
     "body of the brief; the cover says who issues it, when, and how long it takes to read)"),
    ("top\n{% include 'inc.md.j2' %}", "inc.md.j2:2: error: division by zero"),
    ("{% import 'mac.md.j2' as m %}\n{{ m.f() }}", "mac.md.j2:2: error: 'undefined_thing' is undefined"),
    ("{% include 'syntax.md.j2' %}", "syntax.md.j2:3: error: unexpected 'end of print statement'"
     " (hint: check the {{ }} and {% %} tags around this line; see `briefgen docs templates`)"),
])
def test_template_errors_are_located(base, tmp_path, source, message):
    started = time.monotonic()
    write(tmp_path / "t" / "inc.md.j2", "line1\n{{ 1/0 }}\n")
    write(tmp_path / "t" / "mac.md.j2", "{% macro f() %}\n{{ undefined_thing.x }}\n{% endmacro %}\n")
    write(tmp_path / "t" / "syntax.md.j2", "a\nb\n{{ x + }}\n")
    (tmp_path / "t" / "bad.md.j2").write_text(source)
    with pytest.raises(TemplateError) as e:
        compose(base, tmp_path / "t", spec_for(base, "bad.md.j2"))
    first, last = e.value.lines()
    assert first.endswith("/t/" + message)
    assert last == "error: template has 1 error, 0 warnings"
    assert time.monotonic() - started < 10  # each was refused before the work, not after


def test_a_template_compiled_once_is_located_and_printed_right_in_every_compose(base, tmp_path):
    """Each template file is compiled once per process: the next compose runs the same code,
    and an edited file is compiled anew."""
    cited = "{{ cite(themes[0].facts[0]) }}"
    template = tmp_path / "t" / "bad.md.j2"

    def uncited_at(source: str) -> tuple[list[str], str]:
        template.write_text(source)
        texts = []
        for _ in range(2):
            brief = compose(base, tmp_path / "t", spec_for(base, "ok.md.j2"))
            texts.append(brief.blocks[0].text)
            with pytest.raises(TemplateError) as e:
                compose(base, tmp_path / "t", spec_for(base, "bad.md.j2"))
            texts.append(e.value.lines()[0].split("/t/")[1])
        return texts

    # a constant printed among other values stays itself in every compose
    write(tmp_path / "t" / "ok.md.j2", "- {{ themes[0].title }} {{ 'in so many words' }} "
                                       + cited + "\n")
    line = "NATO security assistance in so many words"
    hint = "(hint: every bullet and paragraph needs {{ cite(fact) }}; notes (> ...) and headings "\
           "are exempt)"
    assert uncited_at(f"- {cited}\n- an uncited line\n") == [
        line, f"bad.md.j2:2: error: this bullet has no citation: “an uncited line” {hint}"] * 2
    assert uncited_at(f"## A heading\n\n- {cited}\n\n- edited, still uncited\n") == [
        line, f"bad.md.j2:5: error: this bullet has no citation: “edited, still uncited” {hint}"
    ] * 2


def test_a_template_that_runs_too_long_is_stopped_where_it_was(base, tmp_path, monkeypatch):
    monkeypatch.setattr(templating, "BUDGET_SECONDS", 0.3)
    write(tmp_path / "t" / "bad.md.j2", """
        {% for theme in themes %}
        {% for a in themes * 2000 %}{% for b in themes * 2000 %}{% for c in themes * 2000 %}
        {% endfor %}{% endfor %}{% endfor %}
        {% endfor %}
        """)
    with pytest.raises(TemplateError) as e:
        compose(base, tmp_path / "t", spec_for(base, "bad.md.j2"))
    assert e.value.lines()[0].endswith(
        "t/bad.md.j2:2: error: the template ran for more than 0.3 s; stopped here (hint: a loop "
        "inside a loop over many items? a brief needs far less)")


def test_a_template_that_takes_too_much_memory_is_stopped_where_it_was(base, tmp_path,
                                                                       monkeypatch):
    """What grows a step at a time is stopped by the watchdog, which looks at the process's
    memory (1 GB a render; 100 MB here)."""
    monkeypatch.setattr(jinja_parts, "MAX_MEMORY", 100 << 20)
    write(tmp_path / "t" / "bad.md.j2", """
        Title
        {% set ns = namespace(chain=[]) %}
        {% for i in range(100000) %}{% set ns.chain = [ns.chain, ('x' ~ i) * 1000000] %}{% endfor %}
        """)
    with pytest.raises(TemplateError) as e:
        compose(base, tmp_path / "t", spec_for(base, "bad.md.j2"))
    assert e.value.lines()[0].endswith(
        "t/bad.md.j2:3: error: the template took more than 100 MB of memory; stopped here (hint: "
        "a brief needs far less; loop over facts and themes, not over numbers)")


def test_a_template_that_writes_too_much_is_stopped_where_it_was(base, tmp_path, monkeypatch):
    monkeypatch.setattr(templating, "MAX_OUTPUT", 1000)
    write(tmp_path / "t" / "bad.md.j2", """
        Title
        {% for i in range(1000) %}
        xxxxxxxxxxxxxxxxxxxx
        {% endfor %}
        """)
    with pytest.raises(TemplateError) as e:
        compose(base, tmp_path / "t", spec_for(base, "bad.md.j2"))
    assert e.value.lines()[0].endswith(
        "t/bad.md.j2:2: error: the brief's text passed 1,000 characters; stopped here")


@pytest.mark.parametrize("source", [
    "{% set x %}{% include 'inc.md.j2' %}{% endset %}\n- {{ x }} {{ cite(themes[0].facts[0]) }}\n",
    "{% set x %}\nincluded words\n{{ 'second' }} line\n{% endset %}\n"
    "- {{ x }} {{ cite(themes[0].facts[0]) }}\n",
])
def test_a_block_set_printed_leaves_no_line_stamp_in_the_brief(base, tmp_path, source):
    """What a block set holds keeps the stamps of its own lines and the values it printed;
    printed, it is its words (issue 28, item 20: the stamps leaked into the brief)."""
    write(tmp_path / "t" / "inc.md.j2", "included words\n{{ 'second' }} line\n")
    (tmp_path / "t" / "bad.md.j2").write_text(source)
    brief = compose(base, tmp_path / "t", spec_for(base, "bad.md.j2"))
    assert [b.text for b in brief.blocks] == ["included words second line"]


def test_missing_template(base, tmp_path):
    with pytest.raises(BuildError, match="template 'nope.md.j2' not found in"):
        compose(base, tmp_path, spec_for(base, "nope.md.j2"))


def test_weekly_brief_groups_the_week_by_theme(base):
    brief = compose(base, TEMPLATES, weekly_spec(base, "2013-W23"))
    assert brief.title == "Weekly brief, 3–9 June 2013"  # no region in the desk settings
    assert brief.subtitle == "All themes"  # the ISO week only in the review copy
    shape = [(b.kind, b.text.split(" —")[0][:30]) for b in brief.blocks]
    # no fact marked key: the template takes the three best graded as this week's key
    # developments, and does not print them again under their theme
    assert shape == [
        ("heading", "This week"), ("note", LEGEND[:30]),
        ("bullet", "4 June"), ("bullet", "4 June"), ("bullet", "4 June"),
        ("note", "This week’s developments also "),
        ("note", "Nothing new this week: Russian"),  # month-precision facts are in no week
    ]
    review = compose(base, TEMPLATES, weekly_spec(base, "2013-W23", annotated=True))
    assert review.subtitle == "All themes · 2013-W23 · 3 developments"


def test_weekly_brief_for_a_subset_of_themes(base):
    brief = compose(base, TEMPLATES, weekly_spec(base, "2013-W23", ["russian-motives"]))
    assert (brief.title, brief.subtitle) == ("Weekly brief, 3–9 June 2013", "Russian motives")
    assert [b.text for b in brief.blocks] == [  # said once, not again at the end
        "This week", "Nothing new this week: Russian motives."]
    assert brief.sources == ()


def test_source_date_epoch_sets_the_date_of_issue(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1576108800")
    assert created_at(date(2000, 1, 1)).isoformat() == "2019-12-12T00:00:00+00:00"


def test_without_source_date_epoch_the_date_of_issue_is_the_day_of_the_build(monkeypatch):
    from datetime import datetime, timezone

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert created_at(date(2013, 6, 9)).isoformat() == "2013-06-09T00:00:00+00:00"
    assert created_at().date() == datetime.now(timezone.utc).date()


# Inline Markdown as templates print it: emphasis, escapes, spaces, line breaks, and values
# (placeholders, "DATA"/"CITE" below, numbered when the line is made) next to them.
_inline_pieces = st.sampled_from(["*", "**", "_", "__", "\\*", "\\", " ", "\n", "word", "—", "(",
                                  ")", ".", ":", "·", "1", "\ue000", "\ue001", "\ue002", "DATA",
                                  "CITE", "{", "}", "{}"])


@settings(max_examples=400)
@given(st.lists(st.lists(_inline_pieces, min_size=1, max_size=25), min_size=1, max_size=4),
       st.data())
def test_inline_parsing_by_shape_equals_parsing_each_line(shapes, data):
    """Lines that differ only in placeholder numbers share one parse, with the same result."""
    from markdown_it import MarkdownIt

    def numbered(pieces):
        marks = {"DATA": "\ue000{}\ue001", "CITE": "\ue002{}\ue003"}
        return "".join(marks[p].format(data.draw(st.integers(0, 10**6))) if p in marks else p
                       for p in pieces)

    parse = InlineParser(MarkdownIt("zero").enable(["emphasis", "escape"]))
    parse("\ue0001\ue000\ue001")  # private-use marks typed in a template: parsed as they are
    assert parse("\ue0001\ue000\ue001") == [("text", "\ue0001\ue000\ue001")]
    for pieces in shapes * 2:  # each shape again, numbered anew: from the cache
        line = numbered(pieces)
        assert parse(line) == parse.parse(line)


@settings(max_examples=500)
@example("two  spaces")
@example(" at the start")
@example("at the end ")
@example("a\tb\nc")
@example("C3\u00a0·\u00a0statement ")
@given(st.text(st.sampled_from(["a", "b", " ", "\n", "\t", "\r", "\u00a0", "\u2007",
                                "\u202f", "\u2003", "\u3000", "\x85", "\u2028", "é", "·"])))
def test_a_printed_value_is_put_on_one_line_with_single_spaces(text):
    """What a template prints: on one line, white space made single spaces, no-break kept."""
    from briefgen.compose.inline import _KEEP, _SPACES, one_line

    expected = (_SPACES.sub(" ", text).strip(" ") if _KEEP.search(text)
                else " ".join(text.split()))
    assert one_line(text) == expected


# Judgments, key points, retractions, attribution, contents, editions.
MORE = """
    facts:
      - id: russia-envoy
        statement: A Russian envoy met Haftar in Benghazi.
        themes: [russian-motives, nato-security-assistance]
        date: 2013-06-05
        credibility: 3
        key: true
        citations:
          - source: nato-watch-2013-06
            quote: Haftar looked to Moscow for arms
      - id: delegation-welcomed
        statement: On 7 June Tripoli welcomed the NATO experts.
        themes: [nato-security-assistance, russian-motives]
        date: 2013-06-07
        credibility: 3
        citations:
          - source: nato-watch-2013-06
            quote: identify areas where it can provide security assistance
      - id: withdrawn-claim
        statement: A claim the desk no longer stands by.
        themes: [nato-security-assistance]
        date: 2013-06-06
        retracted: true
        citations:
          - source: nato-watch-2013-06
            quote: confirmed that NATO had decided to send
      - id: rasmussen-said
        statement: The Alliance will not put boots on the ground.
        themes: [nato-security-assistance]
        date: 2013-06-04
        kind: statement
        credibility: 2
        attributed_to: Anders Fogh Rasmussen
        citations:
          - source: nato-watch-2013-06
            quote: there will be no troop deployment
      - id: rasmussen-named
        statement: Rasmussen confirmed an expert-level delegation.
        themes: [nato-security-assistance]
        date: 2013-06-04
        kind: statement
        credibility: 2
        attributed_to: Anders Fogh Rasmussen
        citations:
          - source: nato-watch-2013-06
            quote: Rasmussen confirmed that NATO had decided
    judgments:
      - id: nato-stays-out
        statement: NATO will keep its forces out of Libya.
        themes: [nato-security-assistance]
        date: 2013-06
        likelihood: very likely
        confidence: moderate
        based_on: [nato-2013-no-troops, rasmussen-said]
    """


@pytest.fixture
def richer(tmp_path):
    return check(tiny_factbase(tmp_path, MORE))


def test_judgment_line_is_labelled_and_cites_the_quotes_of_its_basis(richer):
    brief = compose(richer, TEMPLATES, theme_spec(richer, "nato-security-assistance"))
    (line,) = [b for b in brief.blocks if b.kind == "judgment"]
    assert line.text == ("We judge it very likely (80–95\u00a0%) that NATO will keep its forces "
                         "out of Libya. Confidence: moderate. The terms are defined below.")
    (cite,) = line.cites  # one note for the line
    assert [(c.fact_id, c.quote) for c in cite.citations] == [
        ("nato-2013-no-troops", "there will be no troop deployment and any training activities "
                                "would take place outside Libya"),
        ("rasmussen-said", "there will be no troop deployment")]
    # the lines it rests on print the quotes; the judgment's note points to their notes
    lines = {c.fact_id: b.cites[0].number for b in brief.blocks if b.kind == "bullet"
             for c in b.cites[0].citations}
    assert "".join(r.text for r in cite.note) == (
        f"Rests on the lines of notes {lines['nato-2013-no-troops']} and "
        f"{lines['rasmussen-said']}.")
    assert [r.link for r in cite.note if r.link] == [
        f"#note_{lines['nato-2013-no-troops']}", f"#note_{lines['rasmussen-said']}"]
    (record,) = [r for r in brief.extra["provenance"] if r["kind"] == "judgment"]
    assert record["judgments"] == [{"id": "nato-stays-out",
                                    "based_on": ["nato-2013-no-troops", "rasmussen-said"],
                                    "facts": ["nato-2013-no-troops", "rasmussen-said"]}]
    assert {c["judgment"] for c in record["citations"]} == {"nato-stays-out"}
    assert all(len(c["sha256"]) == 64 for c in record["citations"])


def test_the_annex_lists_each_judgments_basis_with_its_note_numbers(richer):
    brief = compose(richer, TEMPLATES, theme_spec(richer, "nato-security-assistance"))
    lines = {c.fact_id: b.cites[0].number for b in brief.blocks if b.kind == "bullet"
             for c in b.cites[0].citations}
    numbers = [lines["nato-2013-no-troops"], lines["rasmussen-said"]]
    heading, table = brief.annex[:2]
    assert (heading.kind, heading.text) == ("heading", "What our assessments rest on")
    assert [[c.text for c in row] for row in table.rows] == [
        ["Judgment", "Likelihood", "Confidence", "Rests on"],
        ["NATO will keep its forces out of Libya.", "very likely", "moderate",
         "NATO ruled out deploying troops; any training would take place outside Libya. "
         f"(note {numbers[0]})\nThe Alliance will not put boots on the ground. "
         f"(note {numbers[1]})"]]
    assert [r.link for line in table.rows[1][3].lines for r in line if r.link] == [
        f"#note_{n}" for n in numbers]
    # then the grading key, whose likelihood column the judgment's terms need
    assert [b.text for b in brief.annex if b.kind == "heading"] == [
        "What our assessments rest on", "How to read the gradings"]
    assert brief.annex[-2].rows[0][-1].text == "Likelihood (ICD 203)"


def test_a_brief_without_judgments_has_no_basis_in_its_annex(base):
    brief = compose(base, TEMPLATES, theme_spec(base, "nato-security-assistance"))
    assert [b.text for b in brief.annex if b.kind == "heading"] == ["How to read the gradings"]
    assert [c.text for c in brief.annex[2].rows[0]] == [
        "Source reliability", "Information credibility"]  # no likelihood without judgments


def test_the_source_list_labels_each_source_and_says_when_it_was_archived(tmp_path):
    """S1, S2 ... label the sources, never mistaken for note numbers; the date archived is the
    fact file's `archived`, left out where it has none."""
    facts = tiny_factbase(tmp_path)
    [entry] = compose(check(facts), TEMPLATES, theme_spec(check(facts),
                                                          "nato-security-assistance")).sources
    assert (entry.label, entry.archived) == ("S1", "")
    assert [r.text for r in entry.lines[0]] == [
        "Nigel Chamberlain · June 2013 · reliability C (fairly reliable)"]
    text = (facts / "base.yaml").read_text(encoding="utf-8")
    (facts / "base.yaml").write_text(text.replace("    file: sources/nato.txt", (
        "    file: sources/nato.txt\n    archived: 2024-03")), encoding="utf-8")
    base = check(facts)
    [entry] = compose(base, TEMPLATES, theme_spec(base, "nato-security-assistance")).sources
    assert entry.archived == "March 2024"
    assert [r.text for r in entry.lines[0]] == [
        "Nigel Chamberlain · June 2013 · reliability C (fairly reliable) · archived March 2024"]


def test_a_retracted_fact_is_never_rendered(richer):
    for spec in (theme_spec(richer, "nato-security-assistance"), weekly_spec(richer, "2013-W23")):
        brief = compose(richer, TEMPLATES, spec)
        assert "withdrawn-claim" not in {f for b in brief.blocks for f in b.fact_ids}
        assert not any("no longer stands by" in b.text for b in brief.blocks)


def test_attribution_is_shown_unless_the_statement_names_whose_claim_it_is(richer):
    brief = compose(richer, TEMPLATES, theme_spec(richer, "nato-security-assistance"))
    text = {b.fact_ids[0]: b.text for b in brief.blocks if b.kind == "bullet"}
    assert text["rasmussen-said"].startswith(
        "4 June — The Alliance will not put boots on the ground. (according to Anders Fogh "
        "Rasmussen)")
    assert "according to" not in text["rasmussen-named"]


def test_weekly_lists_each_fact_once_and_honours_key_points(richer):
    brief = compose(richer, TEMPLATES, weekly_spec(richer, "2013-W23"))
    printed = [f for b in brief.blocks if b.kind in ("bullet", "paragraph") for f in b.fact_ids]
    assert sorted(printed) == sorted(set(printed))
    assert set(printed) == {"nato-2013-delegation", "nato-2013-no-troops", "russia-envoy",
                            "rasmussen-said", "rasmussen-named", "delegation-welcomed"}
    texts = [(b.kind, b.text) for b in brief.blocks]
    # this week's key developments open the brief (only the fact marked key: true), then
    # the judgment the week's facts bear on, with what the week did to it
    assert [t for _, t in texts[:4]] == [
        "This week", LEGEND,
        "5 June — A Russian envoy met Haftar in Benghazi. C3",
        "What it means"]
    assert texts[4][1] == (
        "Unchanged: this week’s reporting is consistent with it.\u00a0We judge it very likely "
        "(80–95\u00a0%) that NATO will keep its forces out of Libya. Confidence: moderate. The "
        "terms are defined below.")
    # a theme whose developments all stand elsewhere shares one line
    assert texts[-1] == ("note", "This week’s developments also concern Russian motives.")
    # a statement that says when is not preceded by its date a second time
    assert ("bullet", "7 June — On 7 June Tripoli welcomed the NATO experts. C3") in texts


def test_table_of_contents_above_the_length_the_template_sets(richer, tmp_path):
    short = compose(richer, TEMPLATES, theme_spec(richer, "nato-security-assistance"))
    assert short.toc is False
    template = (resources.TEMPLATES / "theme.md.j2").read_text().replace("toc_above = 30", "toc_above = 3")
    write(tmp_path / "t" / "theme.md.j2", template)
    long = compose(richer, tmp_path / "t", theme_spec(richer, "nato-security-assistance"))
    assert sum(1 for b in long.blocks if b.cites) > 3 and long.toc is True


def test_annotated_edition_shows_fact_ids(richer):
    readers = compose(richer, TEMPLATES, theme_spec(richer, "nato-security-assistance"))
    desk = compose(richer, TEMPLATES, theme_spec(richer, "nato-security-assistance", True))
    assert (readers.annotated, desk.annotated) == (False, True)
    assert not any("rasmussen-said" in b.text for b in readers.blocks)
    assert any(b.text.endswith("C2 · statement · rasmussen-said".replace(" · s", "\u00a0·\u00a0s"))
               for b in desk.blocks)


def test_cover_has_desk_issue_date_and_reading_time(richer, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1576108800")
    brief = compose(richer, TEMPLATES, theme_spec(richer, "nato-security-assistance"))
    # the date of issue and the information cut-off (the latest fact used); no counts, no
    # reading time in the readers' edition
    assert [b.text for b in brief.cover] == [
        "Issued 12 December 2019 · information cut-off 7 June 2013"]
    assert brief.created.isoformat() == "2019-12-12T00:00:00+00:00"


def test_the_date_of_issue_does_not_change_the_content_hash(richer, monkeypatch):
    """Sending the same week again on a later day is not a correction."""
    from briefgen.distribution.message import content_hash

    briefs = []
    for epoch in ("1576108800", "1576713600"):  # 12 and 19 December 2019
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        briefs.append(compose(richer, TEMPLATES, weekly_spec(richer, "2013-W23")))
    assert briefs[0].created != briefs[1].created
    assert briefs[0].cover != briefs[1].cover
    assert content_hash(briefs[0]) == content_hash(briefs[1])
