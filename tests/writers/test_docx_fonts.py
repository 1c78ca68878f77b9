"""The Word writer embeds its fonts as Word does: obfuscated TrueType parts, read back from the zip."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile

import docx
import pytest
from lxml import etree

from briefgen.writers.docx.writer import render_docx
from conftest import ROOT, sample_brief

FONTS = ROOT / "briefgen" / "resources" / "fonts"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FONT_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
ODTTF_CT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
SLOTS = ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic")


def deobfuscate(data: bytes, key: str) -> bytes:
    """ECMA-376 Part 1 §17.8.1, written out here apart from the writer's code: the key's 32 hex
    digits, read as 16 bytes from the last to the first, XOR the font's first 32 bytes."""
    hexdigits = key.strip("{}").replace("-", "")
    key_bytes = [int(hexdigits[i:i + 2], 16) for i in range(30, -2, -2)]
    return bytes(b ^ key_bytes[i % 16] for i, b in enumerate(data[:32])) + data[32:]


def embedded(data: bytes) -> dict[tuple[str, str], bytes]:
    """(family, slot) -> the font each embed element's part holds, deobfuscated with its key."""
    z = zipfile.ZipFile(io.BytesIO(data))
    table = etree.fromstring(z.read("word/fontTable.xml"))
    names = z.namelist()
    rels = {r.get("Id"): r for r in etree.fromstring(z.read("word/_rels/fontTable.xml.rels"))
            } if "word/_rels/fontTable.xml.rels" in names else {}
    out = {}
    for font in table.iter(f"{{{W}}}font"):
        for el in font:
            slot = etree.QName(el).localname
            if slot in SLOTS:
                rel = rels[el.get(f"{{{R}}}id")]
                assert rel.get("Type") == FONT_RT
                out[(font.get(f"{{{W}}}name"), slot)] = deobfuscate(
                    z.read("word/" + rel.get("Target")), el.get(f"{{{W}}}fontKey"))
    return out


def test_every_packaged_font_is_embedded_obfuscated_and_restores_to_its_file():
    data = render_docx(sample_brief())
    fonts = embedded(data)
    files = {"Regular": "embedRegular", "Bold": "embedBold", "Italic": "embedItalic",
             "BoldItalic": "embedBoldItalic"}
    expected = {("Noto Sans", slot): (FONTS / f"NotoSans-{style}.ttf").read_bytes()
                for style, slot in files.items()}
    expected |= {("Noto Naskh Arabic", files[style]):
                 (FONTS / f"NotoNaskhArabic-{style}.ttf").read_bytes()
                 for style in ("Regular", "Bold")}
    assert fonts.keys() == expected.keys()
    for slot, font in fonts.items():
        assert font == expected[slot], slot  # whole fonts, byte for byte
    z = zipfile.ZipFile(io.BytesIO(data))
    parts = [n for n in z.namelist() if n.startswith("word/fonts/")]
    assert sorted(parts) == [f"word/fonts/font{i}.odttf" for i in range(1, 7)]
    for name in parts:  # obfuscated: no part starts like a TrueType file
        assert z.read(name)[:4] != b"\x00\x01\x00\x00"
    assert z.testzip() is None  # every entry, the fonts stored deflated ahead, checks its CRC
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())
    types = etree.fromstring(z.read("[Content_Types].xml"))
    defaults = {d.get("Extension"): d.get("ContentType") for d in types}
    assert defaults["odttf"] == ODTTF_CT
    settings = etree.fromstring(z.read("word/settings.xml"))
    flag = settings.find(f"{{{W}}}embedTrueTypeFonts")
    assert flag is not None and flag.get(f"{{{W}}}val") in (None, "1", "true")
    # in its schema place, before the proofing state (CT_Settings order)
    tags = [etree.QName(el).localname for el in settings]
    assert tags.index("embedTrueTypeFonts") < tags.index("proofState")
    assert settings.find(f"{{{W}}}saveSubsetFonts") is None  # whole fonts: editors type on
    docx.Document(io.BytesIO(data))  # python-docx opens it


def test_font_table_entries_describe_the_fonts():
    table = etree.fromstring(zipfile.ZipFile(io.BytesIO(render_docx(sample_brief()))).read(
        "word/fontTable.xml"))
    entries = {f.get(f"{{{W}}}name"): f for f in table.iter(f"{{{W}}}font")}
    sans, naskh = entries["Noto Sans"], entries["Noto Naskh Arabic"]
    children = [etree.QName(el).localname for el in sans]
    assert children == ["panose1", "charset", "family", "pitch", "sig", *SLOTS]  # schema order
    assert sans.find(f"{{{W}}}charset").get(f"{{{W}}}val") == "00"
    assert naskh.find(f"{{{W}}}charset").get(f"{{{W}}}val") == "B2"  # an Arabic font
    keys = [el.get(f"{{{W}}}fontKey") for f in (sans, naskh) for el in f
            if etree.QName(el).localname in SLOTS]
    assert len(set(keys)) == 6
    assert all(len(k) == 38 and k[0] == "{" and k[-1] == "}" for k in keys)


def _restricted_copy(source, target) -> None:
    """A copy of a font whose licence (OS/2 fsType) forbids embedding."""
    data = bytearray(source.read_bytes())
    for i in range(struct.unpack_from(">H", data, 4)[0]):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if tag == b"OS/2":
            struct.pack_into(">H", data, offset + 8, 0x0002)
    target.write_bytes(bytes(data))


def test_a_desks_fonts_folder_gives_the_fonts_and_a_restricted_one_is_left_out(tmp_path):
    shutil.copy(FONTS / "NotoSans-Regular.ttf", tmp_path)
    _restricted_copy(FONTS / "NotoNaskhArabic-Regular.ttf", tmp_path / "NotoNaskhArabic-Regular.ttf")
    (tmp_path / "broken.ttf").write_bytes(b"not a font")
    fonts = embedded(render_docx(sample_brief(), fonts=tmp_path))
    assert list(fonts) == [("Noto Sans", "embedRegular")]
    assert fonts["Noto Sans", "embedRegular"] == (FONTS / "NotoSans-Regular.ttf").read_bytes()


def test_a_family_the_document_does_not_name_is_not_embedded(tmp_path, brief):
    from dataclasses import replace

    from briefgen.compose.model import Block, Run

    shutil.copy(FONTS / "NotoNaskhArabic-Regular.ttf", tmp_path)
    reference = tmp_path / "reference.docx"  # python-docx's own template: Calibri, Cambria
    docx.Document().save(reference)
    latin = replace(brief, sources=(), blocks=(Block("heading", (Run("Plain"),), level=2),))
    assert embedded(render_docx(latin, reference=reference, fonts=tmp_path)) == {}
    # Arabic text names the Arabic font on its runs, whatever the reference's styles say
    arabic = replace(latin, blocks=(Block("heading", (Run("مركز المستقبل"),), level=2),))
    assert list(embedded(render_docx(arabic, reference=reference, fonts=tmp_path))) == [
        ("Noto Naskh Arabic", "embedRegular")]


def test_a_reference_document_that_embeds_fonts_is_not_doubled(tmp_path):
    reference = tmp_path / "reference.docx"
    reference.write_bytes(render_docx(sample_brief()))
    data = render_docx(sample_brief(), reference=reference)
    z = zipfile.ZipFile(io.BytesIO(data))
    assert len([n for n in z.namelist() if n.endswith(".odttf")]) == 6
    assert len(embedded(data)) == 6
    names = [f.get(f"{{{W}}}name") for f in etree.fromstring(z.read("word/fontTable.xml"))]
    assert names.count("Noto Sans") == 1


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdffonts")),
                    reason="LibreOffice (soffice) and poppler's pdffonts are needed")
def test_libreoffice_lays_it_out_in_the_embedded_noto_where_no_noto_is_installed(tmp_path):
    """A fontconfig that sees only DejaVu: without the embedded fonts LibreOffice would use it."""
    dejavu = [d for d in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
              if shutil.os.path.isdir(d)]
    if not dejavu:
        pytest.skip("no DejaVu fonts to stand in for the machine's fonts")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{dejavu[0]}</dir>'
                    f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>")
    env = {**shutil.os.environ, "FONTCONFIG_FILE": str(conf)}
    listed = subprocess.run(["fc-list", ":", "family"], env=env, capture_output=True, text=True)
    assert "Noto" not in listed.stdout  # the check means something only without Noto
    src = tmp_path / "brief.docx"
    src.write_bytes(render_docx(sample_brief()))
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    report = subprocess.run(["pdffonts", str(tmp_path / "brief.pdf")], capture_output=True,
                            text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in report.splitlines()[2:]}
    assert {"NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic",
            "NotoNaskhArabic-Regular"} <= names
    assert not any(n.startswith("DejaVu") for n in names), names
