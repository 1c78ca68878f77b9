"""Colour and contrast: every text colour of the house style reads on the page (WCAG 2.2 AA,
4.5:1), and a desk's accent that does not gets a warning from `check`."""

from __future__ import annotations

import pytest

from briefgen.factbase.settings import PAPER, contrast


def test_the_contrast_formula_gives_wcags_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == 1.0


def house_colours() -> dict[str, str]:
    from briefgen.factbase.settings import DeskTable
    from briefgen.writers.docx.oxml import house
    from briefgen.writers.pdf import layout

    pdf = {f"pdf {name}": getattr(layout, name).hexval().replace("0x", "#")
           for name in ("INK", "SLATE")}
    word = {f"docx {name}": "#" + getattr(house, name)
            for name in ("NAVY", "ACCENT", "INK", "GREY", "LIGHT")}
    from briefgen.writers.html import style
    html = {f"html {name}": getattr(style, name) for name in ("INK", "SLATE")}
    return {**pdf, **word, **html, "default accent": DeskTable().accent}


@pytest.mark.parametrize("name", sorted(house_colours()))
def test_every_text_colour_of_the_house_style_reads_on_the_page(name):
    colour = house_colours()[name]
    assert min(contrast(colour, paper) for paper in PAPER) >= 4.5, colour


def test_check_warns_about_an_accent_too_light_to_read(cli, tmp_path):
    from conftest import tiny_factbase

    tiny_factbase(tmp_path)
    (tmp_path / "briefgen.toml").write_text('[desk]\nname = "Desk"\naccent = "#8fa8c8"\n')
    result = cli("check", cwd=tmp_path)
    assert result.returncode == 0
    assert ("briefgen.toml:3:10: warning: desk.accent: accent '#8fa8c8' has a contrast of "
            "2.2:1 with the page; text needs 4.5:1 to be read by everyone (hint: choose a "
            "darker colour, e.g. '#1f3a5f')") in result.stderr.splitlines()
