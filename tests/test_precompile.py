"""Templates compiled by a forked worker while the fact base loads: the same briefs, the same
located errors, and this process's own compile whenever the worker's code could be wrong."""

import time

import jinja2
import pytest

from briefgen.api import check
from briefgen.compose import precompile
from briefgen.compose.composer import compose
from briefgen.compose.jinja_parts import compiled
from briefgen.compose.specs import theme_spec
from briefgen.compose.templating import TemplateRenderer
from briefgen.errors import BuildError, DiagnosticsError
from briefgen.workers import fork_pool
from conftest import tiny_factbase, write

UNCITED = """
    ## Heading
    {% for theme in themes %}
    {% for fact in theme.facts %}
    - {{ fact.statement }}
    {% endfor %}
    {% endfor %}
    """


@pytest.fixture
def compiles_here(monkeypatch):
    """No template compiled in this process yet; the names of those it compiles from now."""
    names: list[str] = []
    monkeypatch.setattr(compiled(), "code", {})
    monkeypatch.setattr(precompile, "_PENDING", [])
    real = jinja2.Environment.compile

    def counted(self, source, name=None, *args, **kwargs):
        names.append(name)
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def loaded(tmp_path, compiles_here, monkeypatch):
    """The tiny desk's fact base; nothing compiled in this process (check compiled some)."""
    base = check(tiny_factbase(tmp_path))
    monkeypatch.setattr(compiled(), "code", {})
    compiles_here.clear()
    return base


def compiled_by_a_worker(templates, names):
    pool = fork_pool()
    precompile.start(pool, templates, names)
    return pool


def test_a_brief_composed_with_the_workers_code_is_the_one_this_process_makes(
        tmp_path, compiles_here, monkeypatch):
    base = loaded(tmp_path, compiles_here, monkeypatch)
    spec = theme_spec(base, "russian-motives")
    with compiled_by_a_worker(None, ("theme.md.j2",)):
        from_worker = compose(base, None, spec)
    assert compiles_here == []  # not one template compiled here
    monkeypatch.setattr(compiled(), "code", {})
    assert compose(base, None, spec) == from_worker  # origins ("theme.md.j2:79") included
    assert compiles_here == ["theme.md.j2"]


def test_an_error_is_located_as_when_this_process_compiles(tmp_path, compiles_here,
                                                           monkeypatch):
    base = loaded(tmp_path, compiles_here, monkeypatch)
    write(tmp_path / "t" / "bad.md.j2", UNCITED)
    spec = theme_spec(base, "russian-motives")
    spec.template = "bad.md.j2"
    found = []
    for worker in (True, False):
        monkeypatch.setattr(compiled(), "code", {})
        with compiled_by_a_worker(tmp_path / "t", ("bad.md.j2",) if worker else ()):
            with pytest.raises(BuildError) as e:
                compose(base, tmp_path / "t", spec)
        found.append(e.value.lines())
    assert found[0] == found[1]
    assert "t/bad.md.j2:4: error: this bullet has no citation: " in found[0][0]
    assert compiles_here == ["bad.md.j2"]  # the second time only


def test_a_template_that_does_not_compile_is_compiled_and_reported_here(
        tmp_path, compiles_here, monkeypatch):
    base = loaded(tmp_path, compiles_here, monkeypatch)
    write(tmp_path / "t" / "bad.md.j2", "## Heading\n{% for theme in themes %}\n- x\n")
    spec = theme_spec(base, "russian-motives")
    spec.template = "bad.md.j2"
    with compiled_by_a_worker(tmp_path / "t", ("bad.md.j2",)):
        with pytest.raises(BuildError) as e:
            compose(base, tmp_path / "t", spec)
    assert compiles_here == ["bad.md.j2"]
    assert "t/bad.md.j2:2: error: " in "\n".join(e.value.lines())


def test_the_workers_code_is_dropped_once_this_process_has_stamped_lines_meanwhile(
        tmp_path, compiles_here, monkeypatch):
    base = loaded(tmp_path, compiles_here, monkeypatch)
    write(tmp_path / "t" / "other.md.j2", "## Another\n\nthat stamps its lines\n")
    spec = theme_spec(base, "russian-motives")
    with compiled_by_a_worker(None, ("theme.md.j2",)) as pool:
        pool.submit(int).result()  # the worker is done: its stamps are numbered
        TemplateRenderer(tmp_path / "t").env.get_template("other.md.j2")  # numbers stamps
        from_here = compose(base, None, spec)
    assert compiles_here == ["other.md.j2", "theme.md.j2"]
    monkeypatch.setattr(compiled(), "code", {})
    assert compose(base, None, spec) == from_here


def test_what_the_worker_could_not_compile_in_its_time_is_compiled_here(
        tmp_path, compiles_here, monkeypatch):
    base = loaded(tmp_path, compiles_here, monkeypatch)
    monkeypatch.setattr(precompile, "WORKER_SECONDS", 0.0)  # the forked worker has it too
    spec = theme_spec(base, "russian-motives")
    with compiled_by_a_worker(None, ("theme.md.j2",)):
        brief = compose(base, None, spec)
    assert compiles_here == ["theme.md.j2"]
    monkeypatch.setattr(compiled(), "code", {})
    assert compose(base, None, spec) == brief



def test_check_takes_every_template_from_its_worker_and_reports_the_ones_it_could_not(
        templated_desk, compiles_here, monkeypatch):
    """`check` runs the brief and e-mail templates: all compiled by its worker; one that does
    not compile is compiled here and reported at its line, as before."""
    monkeypatch.setattr(compiled(), "code", {})
    monkeypatch.setattr(compiled("mail"), "code", {})
    check(templated_desk / "facts")
    assert compiles_here == []
    text = templated_desk / "templates" / "email.txt.j2"
    text.write_text(text.read_text().replace("{% endif %}{{ title }}", "{% endif %}{{ title }",
                                             1))
    monkeypatch.setattr(compiled(), "code", {})
    monkeypatch.setattr(compiled("mail"), "code", {})
    with pytest.raises(DiagnosticsError) as e:
        check(templated_desk / "facts")
    assert set(compiles_here) == {"email.txt.j2"}  # once per e-mail check renders
    assert e.value.lines() == [f"{text}:15: error: unexpected '}}'",
                               "error: template has 1 error, 0 warnings"]


def test_a_worker_that_never_answers_is_not_waited_for_long(tmp_path, compiles_here,
                                                            monkeypatch):
    base = loaded(tmp_path, compiles_here, monkeypatch)
    monkeypatch.setattr(precompile, "WORKER_SECONDS", 0.2)  # the wait: 0.4 s
    spec = theme_spec(base, "russian-motives")
    pool = fork_pool()
    pool.submit(time.sleep, 3)  # the worker is stuck before the compile job
    precompile.start(pool, None, ("theme.md.j2",))
    started = time.monotonic()
    brief = compose(base, None, spec)
    assert time.monotonic() - started < 2.5
    assert compiles_here == ["theme.md.j2"]
    pool.shutdown(wait=False, cancel_futures=True)
    monkeypatch.setattr(compiled(), "code", {})
    assert compose(base, None, spec) == brief
