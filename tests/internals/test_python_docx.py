"""python-docx's package: the Word writer (writers/docx/oxml/package.py) writes what python-docx
saves, reproducibly."""

from __future__ import annotations

import io
import zipfile

import pytest

from conftest import ROOT, sample_brief


@pytest.mark.parametrize("reference", [None, ROOT / "templates" / "reference.docx"])
def test_the_reproducible_package_holds_what_python_docx_saves(monkeypatch, reference):
    """`package_bytes` writes the parts python-docx's own `save` writes, in the same order,
    with the same bytes; only the zip entries' dates and the order of the content types
    differ (fixed, and sorted, so that the same brief gives the same file)."""
    from briefgen.writers.docx.oxml import package
    from briefgen.writers.docx.writer import render_docx

    saved = {}
    reproducible = package.package_bytes

    def both(pkg, when):
        saved["theirs"] = io.BytesIO()
        ours = reproducible(pkg, when)
        pkg.save(saved["theirs"])
        return ours

    monkeypatch.setattr(package, "package_bytes", both)
    ours = zipfile.ZipFile(io.BytesIO(render_docx(sample_brief(lines=12), reference)))
    theirs = zipfile.ZipFile(saved["theirs"])
    assert ours.namelist() == theirs.namelist()
    assert "word/footnotes.xml" in ours.namelist()
    for name in ours.namelist():
        if name == "[Content_Types].xml":
            assert _content_types(ours.read(name)) == _content_types(theirs.read(name))
        else:
            assert ours.read(name) == theirs.read(name), name


def _content_types(xml: bytes) -> set[tuple]:
    from lxml import etree

    return {(el.tag.split("}")[1], *sorted(el.attrib.items())) for el in etree.fromstring(xml)}
