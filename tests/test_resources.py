"""Packaged defaults: templates and fonts ship in the package; a desk folder overrides them."""

from __future__ import annotations

import shutil

import pytest

from briefgen import resources
from briefgen.api import check
from briefgen.compose.composer import compose
from briefgen.compose.specs import theme_spec, weekly_spec
from briefgen.errors import BuildError
from conftest import tiny_factbase, write


@pytest.fixture
def base(tmp_path):
    return check(tiny_factbase(tmp_path))


def test_packaged_defaults_are_complete():
    names = sorted(p.name for p in resources.TEMPLATES.iterdir())
    assert names == ["email.html.j2", "email.txt.j2", "theme.md.j2", "weekly.md.j2",
                     "wording.toml"]
    fonts = sorted(p.name for p in resources.FONTS.iterdir())
    assert "OFL.txt" in fonts and "NotoSans-Regular.ttf" in fonts


def test_without_a_desk_folder_the_packaged_templates_are_used(base, tmp_path):
    brief = compose(base, tmp_path / "no-such-folder", theme_spec(base, "russian-motives"))
    (bullet,) = [b for b in brief.blocks if b.kind == "bullet"]
    # the packaged file is named the same way on every machine (provenance stays reproducible)
    assert bullet.origin.startswith("briefgen/resources/templates/theme.md.j2:")
    assert compose(base, None, theme_spec(base, "russian-motives")).blocks == brief.blocks


def test_a_desk_template_overrides_its_packaged_namesake_only(base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "templates" / "theme.md.j2", """
        {% for theme in themes %}{% for fact in theme.facts %}
        - Desk: {{ fact.statement }} {{ cite(fact) }}
        {% endfor %}{% endfor %}
        """)
    theme = compose(base, tmp_path / "templates", theme_spec(base, "russian-motives"))
    (bullet,) = [b for b in theme.blocks if b.kind == "bullet"]
    assert (bullet.text, bullet.origin) == ("Desk: Haftar looked to Moscow for arms.",
                                            "templates/theme.md.j2:2")
    weekly = compose(base, tmp_path / "templates", weekly_spec(base, "2013-W23"))
    origins = {b.origin.rsplit(":", 1)[0] for b in weekly.blocks if b.kind == "bullet"}
    assert origins == {"briefgen/resources/templates/weekly.md.j2"}


def test_a_template_missing_everywhere_is_named(base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    spec = theme_spec(base, "russian-motives")
    spec.template = "nope.md.j2"
    with pytest.raises(BuildError) as e:
        compose(base, tmp_path / "templates", spec)
    assert str(e.value) == ("template 'nope.md.j2' not found in templates nor in the packaged "
                            "defaults (hint: pass --templates DIR)")


def test_fonts_come_from_the_desk_when_it_has_any(tmp_path):
    desk = tmp_path / "templates"
    assert resources.fonts_dir(desk) == resources.FONTS
    (desk / "fonts").mkdir(parents=True)
    assert resources.fonts_dir(desk) == resources.FONTS  # an empty folder overrides nothing
    shutil.copy(resources.FONTS / "NotoSans-Regular.ttf", desk / "fonts")
    assert resources.fonts_dir(desk) == desk / "fonts"


def test_reference_document_only_from_the_desk(tmp_path):
    assert resources.reference_docx(tmp_path) is None
    (tmp_path / "reference.docx").write_bytes(b"PK")
    assert resources.reference_docx(tmp_path) == tmp_path / "reference.docx"
