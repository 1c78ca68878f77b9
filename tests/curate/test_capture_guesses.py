"""`source add` says what it guessed: pages shaped like large news sites' and PDFs made here."""

from pathlib import Path

import pytest
import yaml

from conftest import tiny_factbase

PAGES = Path(__file__).parent / "pages"


@pytest.fixture
def root(tmp_path):
    tiny_factbase(tmp_path)
    return tmp_path


def entry(root, sid):
    sources = yaml.safe_load((root / "facts" / "sources.yaml").read_text(encoding="utf-8"))
    return next(s for s in sources["sources"] if s["id"] == sid)


def entry_lines(root):
    return (root / "facts" / "sources.yaml").read_text(encoding="utf-8")


def test_a_byline_author_and_a_dateline_date_are_warned_and_commented(cli, root):
    result = cli("source", "add", str(PAGES / "guardian.html"), cwd=root)
    sid = "wagner-forces-under-a-new-name-2024-01"
    assert (result.returncode, result.stdout) == (0, sid + "\n")
    assert result.stderr == (
        "warning: author guessed from the byline: Jason Burke (check it: the entry says so in "
        "a comment)\n"
        "warning: publication date guessed from its text: 2024-01-15 (check it: the entry says "
        "so in a comment)\n")
    lines = entry_lines(root)
    assert '  author: "Jason Burke"  # guessed from the byline: check it\n' in lines
    assert "  published: 2024-01-15  # guessed from its text: check it\n" in lines
    assert "  language: en-GB\n" in lines  # <html lang="en-GB">: stated, not guessed
    text = (root / "facts" / "sources" / f"{sid}.txt").read_text(encoding="utf-8")
    # the standfirst stays, first, and `quote` then finds a sentence of it
    assert text.startswith("Russia's Africa Corps has taken over the mercenaries' bases, but the "
                           "men on the ground are the same, diplomats say\n\nThe Russian defence")
    quote = cli("quote", sid, "the men on the ground are the same, diplomats say", cwd=root)
    assert quote.stdout.startswith(f"# 98% similar, line 1 of sources/{sid}.txt\n- source: {sid}\n"
                                   '  quote: "but the men on the ground are the same, diplomats '
                                   'say"\n')
    assert cli("check", cwd=root).returncode == 0


def test_a_dateline_and_last_updated_are_never_an_author(cli, root):
    result = cli("source", "add", str(PAGES / "reuters.html"), cwd=root)
    sid = "nigeria-says-troops-repelled-attack-near-2022-07"
    assert (result.returncode, result.stdout) == (0, sid + "\n"), result.stderr
    assert "author" not in entry(root, sid)
    assert "  # author:  (not stated)\n" in entry_lines(root)
    assert entry(root, sid)["published"].isoformat() == "2022-07-21"
    text = (root / "facts" / "sources" / f"{sid}.txt").read_text(encoding="utf-8")
    assert text.startswith("Troops repelled an attack on a checkpoint outside the capital on "
                           "Thursday, the army said, the closest such raid to Abuja this year.\n")


def test_a_french_page_is_french(cli, root):
    result = cli("source", "add", str(PAGES / "voa-afrique.html"), cwd=root)
    sid = "mali-la-junte-annonce-le-depart-2022-08"
    assert result.returncode == 0, result.stderr
    assert entry(root, sid)["language"] == "fr"  # <html lang="fr">
    assert entry(root, sid)["published"].isoformat() == "2022-08-15"  # "15 août 2022", a guess: warned
    assert "publication date guessed from its text: 2022-08-15" in result.stderr


def test_a_page_without_lang_gets_a_guessed_language(cli, root):
    page = (PAGES / "voa-afrique.html").read_text(encoding="utf-8")
    (root / "page.html").write_text(page.replace(' lang="fr"', ""), encoding="utf-8")
    result = cli("source", "add", "page.html", "--id", "voa-mali", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "warning: language guessed from its words: fr (check it" in result.stderr
    assert "  language: fr  # guessed from its words: check it\n" in entry_lines(root)


def make_pdf(path, lines, title=None, created=None, lang=None, encrypt=None):
    """A real PDF: reportlab draws it; pypdf adds /Lang, a /CreationDate and encryption."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, invariant=1)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 15 * i, line)
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    metadata = {}
    if title:
        metadata["/Title"] = title
    if created:
        metadata["/CreationDate"] = created
    if metadata:
        writer.add_metadata(metadata)
    if lang:
        writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    if encrypt is not None:
        writer.encrypt(user_password=encrypt, owner_password="owner", algorithm="AES-256")
    with open(path, "wb") as f:
        writer.write(f)
    return path


ARTICLE = ["Abuja, 21 July 2022", "Nigerian troops repelled an attack by gunmen on a military",
           "checkpoint about 40 km from the capital on Thursday, the army said."]


def test_a_pdf_is_dated_from_its_text_never_from_when_it_was_saved(cli, root):
    make_pdf(root / "wire.pdf", ARTICLE, title="Troops repel attack", created="D:20261206101500Z")
    result = cli("source", "add", "wire.pdf", "--publisher", "Reuters", cwd=root)
    assert (result.returncode, result.stdout) == (0, "troops-repel-attack-2022-07\n"), \
        result.stderr
    assert "warning: publication date guessed from its text: 2022-07-21" in result.stderr
    assert entry(root, "troops-repel-attack-2022-07")["published"].isoformat() == "2022-07-21"


@pytest.mark.parametrize("created", ["D:00000000", "D:20261206101500Z"])
def test_a_pdf_with_no_date_in_its_text_is_refused_whatever_its_file_dates(cli, root, created):
    make_pdf(root / "wire.pdf", ARTICLE[1:], title="Troops repel attack", created=created)
    result = cli("source", "add", "wire.pdf", "--publisher", "Reuters", cwd=root)
    assert (result.returncode, result.stderr) == (
        1, "error: wire.pdf states no publication date (hint: pass --published YYYY-MM-DD, "
           "YYYY-MM or YYYY)\n")
    assert not (root / "facts" / "sources.yaml").exists()


def test_a_pdf_lang_is_honoured_and_its_title_loses_control_characters(cli, root):
    make_pdf(root / "r.pdf", ARTICLE, title="Rapport\x1b[2J annuel \u202eLAITNEDIFNOC",
             lang="fr-FR")
    result = cli("source", "add", "r.pdf", "--publisher", "ONU", "--id", "onu-2022", cwd=root)
    assert result.returncode == 0, result.stderr
    assert ("warning: removed from the title: U+001B, U+202E (control or bidirectional "
            "characters a fact file cannot hold)\n") in result.stderr
    assert entry(root, "onu-2022")["title"] == "Rapport[2J annuel LAITNEDIFNOC"
    assert entry(root, "onu-2022")["language"] == "fr-FR"
    assert cli("check", cwd=root).returncode == 0


def test_an_aes_pdf_with_an_empty_user_password_is_read(cli, root):
    make_pdf(root / "official.pdf", ARTICLE, title="Official statement", encrypt="")
    result = cli("source", "add", "official.pdf", "--publisher", "Army", cwd=root)
    assert result.returncode == 0, result.stderr
    sid = result.stdout.strip()
    text = (root / "facts" / "sources" / f"{sid}.txt").read_text(encoding="utf-8")
    assert "Nigerian troops repelled an attack by gunmen on a military" in text
    # the capture is archived as it came, still encrypted
    assert (root / "facts" / "sources" / f"{sid}.pdf").read_bytes() == \
        (root / "official.pdf").read_bytes()


def test_a_pdf_that_needs_a_password_is_refused_clearly(cli, root):
    make_pdf(root / "locked.pdf", ARTICLE, title="Locked", encrypt="secret")
    result = cli("source", "add", "locked.pdf", "--publisher", "Army", cwd=root)
    assert (result.returncode, result.stderr) == (
        1, "error: locked.pdf is protected by a password; nothing written (hint: open it with "
           "the password, save or print it as a new PDF, and give that file)\n")


def test_an_entry_after_a_document_end_marker_lands_inside_the_document(cli, root):
    sources = root / "facts" / "sources.yaml"
    sources.write_text("sources:\n  - id: wire-2019\n    title: Wire\n    publisher: Wire\n"
                       "    published: 2019-12\n    file: sources/nato.txt\n...\n# the end\n",
                       encoding="utf-8")
    result = cli("source", "add", str(PAGES / "reuters.html"), "--id", "reuters-abuja",
                 cwd=root)
    assert result.returncode == 0, result.stderr
    ids = [s["id"] for s in yaml.safe_load(sources.read_text(encoding="utf-8"))["sources"]]
    assert ids == ["wire-2019", "reuters-abuja"]
    assert cli("check", cwd=root).returncode == 0
