"""Jinja2's internals behind the template side of composing (compose/templating.py,
compose/jinja_parts.py): undefined values, the render loop, error lines, the sandbox."""

from __future__ import annotations

import traceback
from dataclasses import fields

import pytest


def _undefined_error(env, source: str, **context) -> str:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError) as err:
        env.from_string(source).render(**context)
    return str(err.value)


def _view(cls, **values):
    """A template view with a plausible value in every field."""
    made = {"str": "text", "int": 3, "bool": True}
    return cls(**{f.name: values.get(f.name, made.get(f.type, ("a", "b"))) for f in fields(cls)})


@pytest.mark.parametrize("source", ["{{ nope }}", "{{ d.nope }}", "{{ d['nope'] }}",
                                    "{{ items[5] }}", "{{ nope.x }}", "{% if d.nope > 1 %}{% endif %}",
                                    "{{ fact.nope }}"])
def test_undefined_values_fail_with_jinjas_own_message_unless_a_view_lacks_a_field(source):
    """`Undefined` overrides Jinja2's private `_undefined_message`: for anything but a fact,
    judgment or theme view, the message is StrictUndefined's own."""
    from jinja2 import Environment, StrictUndefined

    from briefgen.compose.jinja_parts import HINT, undefined_class
    from briefgen.compose.views import FactView

    context = {"d": {"a": 1}, "items": [1, 2], "fact": _view(FactView)}
    ours = _undefined_error(Environment(undefined=undefined_class()), source, **context)
    if "fact." in source:
        assert ours == f"fact has no field 'nope'{HINT}its fields: " + ", ".join(
            f.name for f in fields(FactView))
    else:
        assert ours == _undefined_error(Environment(undefined=StrictUndefined), source,
                                        **context)


def test_a_printed_undefined_value_fails_as_jinja_fails_it(tmp_path):
    """Every printed value goes through `finalize`, which raises an undefined one's error
    through Jinja2's private `_fail_with_undefined_error`: the message Jinja2 gives."""
    from jinja2 import Environment, StrictUndefined

    from briefgen.compose.templating import TemplateRenderer
    from briefgen.errors import TemplateError

    (tmp_path / "t.md.j2").write_text("line\n{{ d.nope }}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as err:
        TemplateRenderer(tmp_path).render("t.md.j2", {"d": {}})
    (diagnostic,) = err.value.diagnostics
    assert (diagnostic.line, diagnostic.message) == (
        2, _undefined_error(Environment(undefined=StrictUndefined), "{{ d.nope }}", d={}))


def test_rendering_from_the_root_render_function_gives_what_template_render_gives(tmp_path):
    """The TemplateRenderer runs Jinja2's `root_render_func` itself (to stop an over-long output
    where it is): the text and the exported names are those of `render` and `make_module`."""
    from briefgen.compose.templating import TemplateRenderer

    (tmp_path / "part.md.j2").write_text("{% macro m(x) %}[{{ x }}]{% endmacro %}",
                                         encoding="utf-8")
    (tmp_path / "t.md.j2").write_text(
        '{% from "part.md.j2" import m %}{% set title = "T" ~ n %}\n# {{ title }}\n'
        "{% for i in range(n) %}- {{ m(i) }} {{ words | join(', ') }}\n{% endfor %}"
        "{% macro cover() %}cover{% endmacro %}", encoding="utf-8")
    context = {"n": 3, "words": ["a", "b"]}
    renderer = TemplateRenderer(tmp_path)
    text = renderer._generate("t.md.j2", context)
    exports = renderer.exports
    renderer.values.clear()
    template = renderer.env.get_template("t.md.j2")
    assert text == template.render(context)
    assert "\ue000" in text and "[2]" not in text  # what is printed becomes a placeholder
    module = template.make_module(context)
    assert exports.keys() == {k for k in vars(module) if not k.startswith("_")} == {"title",
                                                                                    "cover"}


def test_an_error_is_located_at_the_template_line_jinjas_traceback_names(tmp_path):
    """`where` finds the template file and line by Jinja2's private `__jinja_exception__`
    frame marker: the innermost template frame of the traceback Jinja2 rewrites."""
    from briefgen.compose.jinja_parts import where
    from briefgen.compose.templating import TemplateRenderer

    (tmp_path / "inner.md.j2").write_text("a\nb\n{{ 1 // zero }}\n", encoding="utf-8")
    (tmp_path / "t.md.j2").write_text('x\n{% include "inner.md.j2" %}\n', encoding="utf-8")
    with pytest.raises(ZeroDivisionError) as err:
        TemplateRenderer(tmp_path).env.get_template("t.md.j2").render(zero=0)
    frames = [f for f in traceback.extract_tb(err.value.__traceback__)
              if f.filename.endswith(".j2")]
    assert [(f.filename, f.lineno) for f in frames] == [
        (str(tmp_path / "t.md.j2"), 2), (str(tmp_path / "inner.md.j2"), 3)]
    assert where(err.value, tmp_path, "t.md.j2") == ("inner.md.j2", 3)


def test_view_fields_read_without_the_sandbox_are_what_the_sandbox_reads():
    """The sandboxed environment reads the fields of fact, judgment and theme views
    directly; the sandbox's own `getattr` and `getitem` give the same values, and anything
    else still goes through it."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from briefgen.compose.templating import TemplateRenderer
    from briefgen.compose.views import FactView, JudgmentView, ThemeView

    env = TemplateRenderer(None, plain=(FactView, JudgmentView, ThemeView)).env
    sandbox = ImmutableSandboxedEnvironment()
    fact = _view(FactView)
    views = [fact, _view(JudgmentView), _view(ThemeView, facts=(fact,), summary=None)]
    for view in views:
        for f in fields(view):
            assert env.getattr(view, f.name) is sandbox.getattr(view, f.name)
            assert env.getitem(view, f.name) is sandbox.getitem(view, f.name)
    assert env.getattr(views[2], "quiet") is sandbox.getattr(views[2], "quiet") is False
    assert isinstance(env.getattr(fact, "__class__"), env.undefined)  # the sandbox refuses it


def test_the_bounded_sandbox_reaches_into_jinja2_where_it_says():
    """compose/sandbox.py relies on: `~` compiled by CodeGenerator.visit_Concat (replaced to go
    through `environment.joined`), a filter's first argument named by its `jinja_pass_arg`,
    and `str.format` handed out by `wrap_str_format` at attribute access."""
    from jinja2.compiler import CodeGenerator
    from jinja2.utils import _PassArg

    from briefgen.compose.sandbox import BoundedEnvironment

    assert hasattr(CodeGenerator, "visit_Concat")
    env = BoundedEnvironment()
    source = env.compile("{{ a ~ b }}", raw=True)
    assert "environment.joined(context.eval_ctx, (" in source
    assert env.from_string("{{ a ~ b ~ 1 }}").render(a="x", b="y") == "xy1"
    for name, func in env.filters.items():
        passed = _PassArg.from_obj(func)
        assert (getattr(func, "jinja_pass_arg", None) is not None) == (passed is not None), name
    assert env.from_string("{{ '{:>3}'.format('x') }}").render() == "  x"
    assert env.from_string("{{ 'a'|center(5) }}|{{ [1, 2]|join('-') }}").render() == "  a  |1-2"
