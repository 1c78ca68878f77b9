"""Quotes in any language: the original verified and printed in its script, then the desk's
translation; a French desk's brief, in every format, holds no English word of briefgen's."""

import html as html_module
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from briefgen import resources
from conftest import write

ARABIC_TEXT = ("ليبيا أوبزرفر\n\nقال المتحدث باسم حكومة الوفاق إن الحكومة لن تسمح بتدخل أي "
               "قوات أجنبية في العاصمة طرابلس، وإنها ستدافع عن المدينة بكل الوسائل المتاحة.\n")
ARABIC_QUOTE = "لن تسمح بتدخل أي قوات أجنبية في العاصمة طرابلس"
FRENCH_TEXT = ("Mali : la junte annonce le départ des derniers soldats français\n\nLes derniers "
               "soldats français de la force Barkhane ont quitté le Mali lundi, a annoncé "
               "l'état-major des armées à Paris, mettant fin à neuf ans de présence militaire "
               "dans le pays.\n")


def french_desk(root, translation=True):
    write(root / "briefgen.toml", """
        [desk]
        name = "Cellule Sahel"
        organisation = "Ministère"
        region = "Sahel"
        language = "fr"
        """)
    facts = root / "facts"
    (facts / "sources").mkdir(parents=True)
    (facts / "sources" / "voa.txt").write_text(FRENCH_TEXT, encoding="utf-8")
    (facts / "sources" / "observer.txt").write_text(ARABIC_TEXT, encoding="utf-8")
    translated = ("\n                translation: le gouvernement ne permettra à aucune force "
                  "étrangère d’intervenir dans la capitale, Tripoli") if translation else ""
    write(facts / "base.yaml", f"""
        sources:
          - id: voa-afrique-2022-08
            title: "Mali : la junte annonce le départ des derniers soldats français"
            publisher: VOA Afrique
            published: 2022-08-15
            file: sources/voa.txt
            language: fr
            reliability: B
          - id: libya-observer-2019-12
            title: بيان حكومة الوفاق
            publisher: ليبيا أوبزرفر
            published: 2019-12-12
            file: sources/observer.txt
            language: ar
            reliability: C
        themes:
          - id: presence-etrangere
            title: Présence militaire étrangère
            summary: Qui arrive, qui part.
        facts:
          - id: barkhane-quitte-le-mali
            statement: Les derniers soldats français de Barkhane ont quitté le Mali.
            themes: [presence-etrangere]
            date: 2022-08-15
            kind: statement
            credibility: 2
            attributed_to: l’état-major des armées
            key: true
            citations:
              - source: voa-afrique-2022-08
                quote: Les derniers soldats français de la force Barkhane ont quitté le Mali lundi
          - id: tripoli-refuse-les-forces-etrangeres
            statement: Le gouvernement de Tripoli a dit qu’il ne laisserait intervenir aucune force étrangère dans la capitale.
            themes: [presence-etrangere]
            date: 2019-12-12
            kind: statement
            credibility: 3
            attributed_to: le porte-parole du gouvernement
            citations:
              - source: libya-observer-2019-12
                quote: {ARABIC_QUOTE}{translated}
        judgments:
          - id: retrait-durable
            statement: Le retrait français du Mali est durable.
            themes: [presence-etrangere]
            date: 2022-08
            likelihood: likely
            confidence: moderate
            based_on: [barkhane-quitte-le-mali]
            rationale: Une seule déclaration officielle, sans retour annoncé.
        """)
    return root


def test_a_quote_in_another_language_without_a_translation_is_warned(cli, tmp_path):
    root = french_desk(tmp_path, translation=False)
    result = cli("check", "--strict", cwd=root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "facts/base.yaml:41:16: warning: [tripoli-refuse-les-forces-etrangeres] "
        "citations[0].quote: quote in 'ar' has no translation into 'fr' (hint: add "
        "'translation:' under the quote: the desk's translation, printed after the original "
        "(and 'translator:' if someone else made it))")


def test_quote_offers_a_translation_placeholder_for_another_language(cli, tmp_path):
    root = french_desk(tmp_path)
    result = cli("quote", "libya-observer-2019-12", "لن تسمح بتدخل أي قوات أجنبية", cwd=root)
    assert result.stdout.endswith(
        "  # translation: \"\"  (the quote in 'fr', the desk's language: check warns until it "
        "is there)\n")
    same = cli("quote", "voa-afrique-2022-08", "les derniers soldats français", cwd=root)
    assert "translation" not in same.stdout


# Words English and French both print ("Sources", "Page", "probable", "information"): the only
# English words a French brief may hold.
BOTH = {"all", "certain", "chance", "icd", "improbable", "information", "note", "notes", "nov",
        "oct", "page", "passage", "phia", "probable", "sha", "source", "sources"}


def english_words() -> set[str]:
    """Every word briefgen itself prints in an English brief (wording.toml [en]), but those
    French prints as well (BOTH): an [fr] value left in English is caught too."""
    from briefgen.factbase.settings import toml_module

    table = toml_module().loads((resources.TEMPLATES / "wording.toml").read_text(encoding="utf-8"))

    def words(value) -> set[str]:
        if isinstance(value, dict):  # (lowercase_after_that is a list of words never printed)
            return set().union(*(words(v) for k, v in value.items()
                                 if k != "lowercase_after_that")) if value else set()
        if isinstance(value, list):
            return set().union(*(words(v) for v in value)) if value else set()
        text = re.sub(r"\{[^}]*\}", " ", str(value))
        return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}

    return words(table["en"]) - BOTH


def brief_text(root, annotated: bool) -> dict[str, str]:
    name = root / "out" / ("theme-presence-etrangere" + (".annotated" if annotated else ""))
    pdf = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", f"{name}.pdf", "-"],
                         capture_output=True, text=True, check=True).stdout
    with zipfile.ZipFile(f"{name}.docx") as z:
        xml = " ".join(z.read(n).decode("utf-8") for n in z.namelist()
                       if n.startswith("word/") and n.endswith(".xml"))
    docx = " ".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", Path(f"{name}.html").read_text("utf-8"),
                  flags=re.S)
    labels = " ".join(re.findall(r'(?:aria-label|title|alt)="([^"]*)"', page))
    html = html_module.unescape(re.sub(r"<[^>]+>", "", page)) + " " + labels
    return {"pdf": pdf, "docx": docx, "html": html}


@pytest.mark.parametrize("annotated", [False, True])
def test_a_french_desk_brief_has_no_english_word_and_prints_the_translation(cli, tmp_path,
                                                                             annotated):
    root = french_desk(tmp_path)
    args = ["build", "--strict", "--format", "docx,pdf,html"] + (["--annotated"] if annotated
                                                                 else [])
    result = cli(*args, cwd=root)
    assert result.returncode == 0, result.stderr
    suspects = english_words()
    for fmt, text in brief_text(root, annotated).items():
        words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}
        assert sorted(words & suspects) == [], fmt
        # pdftotext marks right-to-left runs with embeddings (U+202B ... U+202C): not text
        flat = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", " ".join(text.split()))
        assert "Note thématique" in flat and "Comment lire les cotations" in flat, fmt
        # the original in Arabic, then the desk's translation, marked as such (a PDF's text
        # gives a right-to-left run in its own order: its words are checked there)
        compact = flat.replace(" ", "").replace("\u00a0", "")
        translation = ("(notre traduction : « le gouvernement ne permettra à aucune force "
                       "étrangère d’intervenir dans la capitale, Tripoli »)").replace(" ", "")
        assert translation in compact, fmt
        if fmt != "pdf":
            assert f"«{ARABIC_QUOTE}»{translation}".replace(" ", "") in compact, fmt
        else:
            assert all(word in flat for word in ARABIC_QUOTE.split())
