"""`check` composes every brief the templates define and reports their mistakes, located."""

import shutil

from briefgen import resources
from conftest import tiny_factbase, write


def project(tmp_path):
    tiny_factbase(tmp_path)
    shutil.copytree(resources.TEMPLATES, tmp_path / "templates")  # a desk with its own copies
    return tmp_path


def test_check_reports_template_mistakes_with_fact_file_errors(cli, tmp_path):
    root = project(tmp_path)
    theme = (root / "templates" / "theme.md.j2").read_text()
    (root / "templates" / "theme.md.j2").write_text(
        theme.replace("fact.statement", "fact.statment"))
    write(root / "templates" / "weekly.md.j2", """
        ## Key points
        {% include "parts/key.md.j2" %}
        """)
    write(root / "templates" / "parts" / "key.md.j2", """
        {% for fact in best_graded %}
        - {{ fact.statement }} {{ cite(fact.id ~ 'x') }}
        {% endfor %}
        """)
    line = 1 + theme[:theme.index("fact.statement")].count("\n")  # the packaged template's
    result = cli("check", cwd=root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "templates/parts/key.md.j2:2: error: cite('nato-2013-delegationx'): no fact or judgment "
        "has this id (hint: did you mean 'nato-2013-delegation'?)",
        f"templates/theme.md.j2:{line}: error: fact has no field 'statment' "
        "(hint: did you mean 'statement'?)",
        "error: template has 2 errors, 0 warnings"]


def test_check_reports_an_uncited_line_and_a_sandbox_violation(cli, tmp_path):
    root = project(tmp_path)
    write(root / "templates" / "theme.md.j2", """
        {% for theme in themes %}
        {% for fact in theme.facts %}
        - {{ fact.statement }}
        {% endfor %}
        {% endfor %}
        """)
    write(root / "templates" / "weekly.md.j2", "{{ cite.__globals__ }}\n")
    result = cli("check", cwd=root)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == ("templates/theme.md.j2:3: error: this bullet has no citation: “Haftar "
                        "looked to Moscow for arms.” (hint: every bullet and paragraph needs "
                        "{{ cite(fact) }}; notes (> ...) and headings are exempt)")
    assert lines[-2] == ("templates/weekly.md.j2:1: error: access to attribute '__globals__' of "
                         "'method' object is unsafe. (hint: templates may only read the values "
                         "they are given)")
    assert lines[-1] == "error: template has 4 errors, 0 warnings"


def test_build_reports_a_template_mistake_without_a_traceback(cli, tmp_path):
    root = project(tmp_path)
    write(root / "templates" / "theme.md.j2", "{% macro m() %}{{ m() }}{% endmacro %}\n{{ m() }}\n")
    result = cli("build", cwd=root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "templates/theme.md.j2:1: error: a macro or include calls itself without end "
        "(hint: give the recursion a condition that stops it)",
        "error: template has 1 error, 0 warnings"]
    assert not (root / "out").exists()


def test_check_passes_with_the_bundled_templates(cli, tmp_path):
    result = cli("check", cwd=project(tmp_path))
    assert (result.returncode, result.stderr) == (
        0, "checked 3 facts, 1 source, 2 themes: 0 errors, 0 warnings\n")


def test_check_reports_a_missing_template(cli, tmp_path):
    root = project(tmp_path)
    (root / "templates" / "weekly.md.j2").unlink()  # the packaged one fills in: no problem
    assert cli("check", cwd=root).returncode == 0
    write(root / "templates" / "weekly.md.j2", '{% include "parts/none.md.j2" %}\n')
    result = cli("check", cwd=root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "templates/weekly.md.j2:1: error: template 'parts/none.md.j2' not found",
        "error: template has 1 error, 0 warnings"]


def test_a_mistake_only_one_kind_of_fact_meets_is_found_in_a_large_theme(cli, tmp_path):
    """The check composes one fact of each shape, not the whole brief: a template path that
    only a fact of one kind takes, deep in a long theme, is still run and located."""
    root = project(tmp_path)
    facts = "".join(f"""
  - id: routine-{n}
    statement: NATO met Libyan officials, meeting {n}.
    themes: [nato-security-assistance]
    date: 2013-06-04
    credibility: 2
    citations:
      - source: nato-watch-2013-06
        quote: there will be no troop deployment
""" for n in range(60))
    write(root / "facts" / "many.yaml", "facts:" + facts + """
  - id: odd-one
    statement: Someone alleged that NATO would deploy troops.
    themes: [nato-security-assistance]
    date: 2013-06-05
    kind: allegation
    attributed_to: an unnamed official
    credibility: 4
    citations:
      - source: nato-watch-2013-06
        quote: there will be no troop deployment
""")
    theme = root / "templates" / "theme.md.j2"
    text = theme.read_text()
    theme.write_text(text.replace("{{ fact.statement }}",
                                  '{{ fact.statement }}{% if fact.kind == "allegation" %}'
                                  "{{ fact.nope }}{% endif %}", 1))
    line = 1 + text[:text.index("{{ fact.statement }}")].count("\n")
    result = cli("check", cwd=root)
    assert result.returncode == 1
    assert f"templates/theme.md.j2:{line}: error: fact has no field 'nope'" in result.stderr
