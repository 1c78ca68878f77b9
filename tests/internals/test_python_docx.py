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
    with the same bytes, each of the same content type; only the zip entries (dated `when`,
    fonts deflated once) and the content types' form (sorted; a Default for the fonts'
    extension where python-docx lists each font) differ, so that the same brief gives the
    same file."""
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
            assert _content_types(ours) == _content_types(theirs)
        else:
            assert ours.read(name) == theirs.read(name), name


def _content_types(package: zipfile.ZipFile) -> dict[str, str]:
    """The content type of each part, as [Content_Types].xml resolves it (an Override for the
    part, else the Default for its extension)."""
    from lxml import etree

    root = etree.fromstring(package.read("[Content_Types].xml"))
    defaults = {el.get("Extension"): el.get("ContentType") for el in root
                if el.tag.endswith("Default")}
    overrides = {el.get("PartName"): el.get("ContentType") for el in root
                 if el.tag.endswith("Override")}
    return {name: overrides.get("/" + name, defaults.get(name.rsplit(".", 1)[-1]))
            for name in package.namelist() if name != "[Content_Types].xml"}
