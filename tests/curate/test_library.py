"""The reference library: source rename and remove, Zotero imports and a CSL-JSON export."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import tiny_factbase, write

PAGES = Path(__file__).parent / "pages"
SID = "mali-la-junte-annonce-le-depart-2022-08"


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def desk(cli, tmp_path):
    """A base with a captured source (named after its id) cited from two fact files."""
    facts = tiny_factbase(tmp_path)
    assert cli("source", "add", str(PAGES / "voa-afrique.html"), "--publisher", "VOA Afrique",
               cwd=tmp_path).returncode == 0
    write(facts / "sahel.yaml", f"""
        themes:
          - id: sahel
            title: Sahel
        facts:
          - id: barkhane-leaves-mali  # the last French troops
            statement: The last French troops of Barkhane left Mali.
            themes: [sahel]
            date: 2022-08-15
            citations:
              - source: {SID}
                quote: Les derniers soldats français de la force Barkhane ont quitté le Mali lundi
        """)
    write(facts / "more.yaml", f"""
        facts:
          - id: mali-turns-to-russia
            statement: Mali's authorities moved closer to Russia.
            themes: [sahel]
            date: 2022-08
            citations:
              - source: "{SID}"
                quote: Les autorités maliennes se sont rapprochées de la Russie
              - source: nato-watch-2013-06
                quote: send an expert-level delegation to Libya
        """)
    return tmp_path


def test_rename_changes_every_citation_and_the_archived_files_and_nothing_else(cli, desk):
    facts = desk / "facts"
    before = {p.name: p.read_text(encoding="utf-8") for p in facts.glob("*.yaml")}
    result = cli("source", "rename", SID, "voa-mali-2022-08", cwd=desk)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == sorted([
        "facts/more.yaml", "facts/sahel.yaml", "facts/sources.yaml",
        "facts/sources/voa-mali-2022-08.html", "facts/sources/voa-mali-2022-08.txt"])
    after = {p.name: p.read_text(encoding="utf-8") for p in facts.glob("*.yaml")}
    assert after["base.yaml"] == before["base.yaml"]
    for name in ("sahel.yaml", "more.yaml"):
        assert after[name] == before[name].replace(SID, "voa-mali-2022-08")
    assert after["sources.yaml"] == before["sources.yaml"].replace(
        f"- id: {SID}", "- id: voa-mali-2022-08").replace(
        f"file: sources/{SID}.txt", "file: sources/voa-mali-2022-08.txt")
    assert sorted(p.name for p in (facts / "sources").iterdir()) == [
        "nato.txt", "voa-mali-2022-08.html", "voa-mali-2022-08.txt"]
    assert cli("check", cwd=desk).returncode == 0


@pytest.mark.parametrize("args, message", [
    (["mali-junte", "x"], "error: unknown source 'mali-junte' (hint: briefgen list sources shows "
     "them)"),
    ([SID, "nato-watch-2013-06"], "error: source id 'nato-watch-2013-06' already exists (hint: "
     "choose another id)"),
    ([SID, "Bad Id"], "error: 'Bad Id' is not a slug (hint: lowercase letters, digits and "
     "single hyphens, e.g. 'wagner-mali-2024-01')"),
])
def test_a_rename_that_cannot_be_done_changes_nothing(cli, desk, args, message):
    before = snapshot(desk / "facts")
    result = cli("source", "rename", *args, cwd=desk)
    assert (result.returncode, result.stderr) == (2 if "slug" in message else 1, message + "\n")
    assert snapshot(desk / "facts") == before


def test_a_rename_with_an_unreadable_fact_file_changes_nothing(cli, desk):
    (desk / "facts" / "broken.yaml").write_text("facts:\n  - id: [\n", encoding="utf-8")
    before = snapshot(desk / "facts")
    result = cli("source", "rename", SID, "voa-mali", cwd=desk)
    assert (result.returncode, result.stderr) == (
        1, "error: facts/broken.yaml cannot be read; nothing changed (hint: run briefgen check "
           "and fix it first)\n")
    assert snapshot(desk / "facts") == before


def test_remove_is_refused_while_cited_naming_the_facts(cli, desk):
    before = snapshot(desk / "facts")
    result = cli("source", "remove", SID, cwd=desk)
    assert (result.returncode, result.stderr) == (
        1, f"error: source '{SID}' is cited by 2 facts: mali-turns-to-russia "
           "(facts/more.yaml:2), barkhane-leaves-mali (facts/sahel.yaml:5); nothing removed "
           "(hint: cite another source in them, or retract them)\n")
    assert snapshot(desk / "facts") == before


def test_remove_takes_out_the_entry_and_its_files(cli, desk):
    for name in ("sahel.yaml", "more.yaml"):
        (desk / "facts" / name).unlink()
    assert cli("source", "add", str(PAGES / "guardian.html"), "--id", "g", cwd=desk
               ).returncode == 0
    sources = desk / "facts" / "sources.yaml"
    before = sources.read_text(encoding="utf-8")
    result = cli("source", "remove", SID, cwd=desk)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "facts/sources.yaml", f"facts/sources/{SID}.txt", f"facts/sources/{SID}.html"]
    removed = before[before.index(f"\n  - id: {SID}"):before.index("\n  - id: g\n")]
    assert sources.read_text(encoding="utf-8") == before.replace(removed, "")
    assert sorted(p.name for p in (desk / "facts" / "sources").iterdir()) == [
        "g.html", "g.txt", "nato.txt"]
    assert cli("check", cwd=desk).returncode == 0


def test_removing_the_only_source_of_a_file_leaves_an_empty_list(cli, tmp_path):
    tiny_factbase(tmp_path)
    assert cli("source", "add", str(PAGES / "guardian.html"), "--id", "g", cwd=tmp_path
               ).returncode == 0
    sources = tmp_path / "facts" / "sources.yaml"
    assert cli("source", "remove", "g", cwd=tmp_path).returncode == 0
    assert sources.read_text(encoding="utf-8") == "sources: []\n"
    assert cli("check", cwd=tmp_path).returncode == 0


def zotero_folder(tmp_path):
    """Zotero's "Export Files" layout: the export beside files/<n>/<attachment>."""
    export = tmp_path / "export"
    for n, page in ((3, "guardian.html"), (4, "reuters.html")):
        (export / "files" / str(n)).mkdir(parents=True)
        shutil.copy(PAGES / page, export / "files" / str(n) / page)
    return export


CSL = [
    {"id": "burke_wagner_2024", "type": "article-newspaper",
     "title": "Wagner forces under a new name in Mali", "container-title": "The Guardian",
     "author": [{"family": "Burke", "given": "Jason"}], "issued": {"date-parts": [[2024, 1, 15]]},
     "URL": "https://www.theguardian.com/world/2024/jan/15/wagner-mali", "language": "en-GB",
     "file": "files/3/guardian.html"},
    {"id": "noauthor_sahel_2022", "type": "webpage", "title": "Sahel briefing",
     "issued": {"date-parts": [[2022, 7]]}, "URL": "https://example.org/sahel"},
]
RIS = """TY  - NEWS
TI  - Nigeria says troops repelled attack near Abuja
T2  - Reuters
DA  - 2022/07/21/
PY  - 2022
UR  - https://www.reuters.com/world/africa/nigeria-troops-abuja-2022-07-21/
LA  - en
L1  - files/4/reuters.html
ER  -

TY  - JOUR
TI  - An article with no saved copy
AU  - Doe, Jane
PY  - 2021
ER  -
"""
BIBTEX = """@article{burke_wagner_2024,
\ttitle = {Wagner forces under a new name in {Mali}},
\turl = {https://www.theguardian.com/world/2024/jan/15/wagner-mali},
\tjournal = {The Guardian},
\tauthor = {Burke, Jason},
\tmonth = jan,
\tyear = {2024},
\tlangid = {en-GB},
\tfile = {Full Text:files/3/guardian.html:text/html},
}
"""


def test_a_csl_json_export_is_imported_with_its_attachments(cli, tmp_path):
    tiny_factbase(tmp_path)
    export = zotero_folder(tmp_path)
    (export / "library.json").write_text(json.dumps(CSL), encoding="utf-8")
    result = cli("source", "import", "export/library.json", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "burke-wagner-2024\n"), result.stderr
    assert result.stderr == ("warning: skipped 'noauthor_sahel_2022': the export points to no "
                             "saved copy of it (hint: briefgen source add "
                             "https://example.org/sahel)\n")
    entry = yaml.safe_load((tmp_path / "facts" / "sources.yaml").read_text())["sources"][0]
    assert {k: str(v) for k, v in entry.items() if k not in ("capture_sha256", "archived")} == {
        "id": "burke-wagner-2024", "title": "Wagner forces under a new name in Mali",
        "publisher": "The Guardian", "author": "Jason Burke", "published": "2024-01-15",
        "url": "https://www.theguardian.com/world/2024/jan/15/wagner-mali",
        "file": "sources/burke-wagner-2024.txt", "language": "en-GB"}
    text = (tmp_path / "facts" / "sources" / "burke-wagner-2024.txt").read_text()
    assert text.startswith("Russia's Africa Corps has taken over the mercenaries' bases")


def test_ris_and_bibtex_exports_are_imported(cli, tmp_path):
    tiny_factbase(tmp_path)
    export = zotero_folder(tmp_path)
    (export / "library.ris").write_text(RIS, encoding="utf-8")
    (export / "library.bib").write_text(BIBTEX, encoding="utf-8")
    ris = cli("source", "import", "export/library.ris", cwd=tmp_path)
    assert (ris.returncode, ris.stdout) == (
        0, "nigeria-says-troops-repelled-attack-near-2022-07\n"), ris.stderr
    assert ris.stderr == ("warning: skipped 'An article with no saved copy': the export points "
                          "to no saved copy of it (hint: briefgen source add FILE)\n")
    bib = cli("source", "import", "export/library.bib", cwd=tmp_path)
    assert (bib.returncode, bib.stdout) == (0, "burke-wagner-2024\n"), bib.stderr
    sources = {s["id"]: s for s in yaml.safe_load(
        (tmp_path / "facts" / "sources.yaml").read_text())["sources"]}
    assert str(sources["nigeria-says-troops-repelled-attack-near-2022-07"]["published"]) == \
        "2022-07-21"
    assert sources["burke-wagner-2024"]["title"] == "Wagner forces under a new name in Mali"
    assert str(sources["burke-wagner-2024"]["published"]) == "2024-01"  # as Zotero has it
    assert sources["burke-wagner-2024"]["author"] == "Jason Burke"
    assert cli("check", cwd=tmp_path).returncode == 0


def test_the_sources_export_as_csl_json(cli, desk):
    result = cli("list", "sources", "--format", "csl-json", cwd=desk)
    assert result.returncode == 0, result.stderr
    items = {item["id"]: item for item in json.loads(result.stdout)}
    assert items["nato-watch-2013-06"] == {
        "id": "nato-watch-2013-06", "type": "article-newspaper",
        "title": "NATO returns to Libya but not in a combat role", "publisher": "NATO Watch",
        "container-title": "NATO Watch", "issued": {"date-parts": [[2013, 6]]}, "language": "en",
        "note": "briefgen: reliability C; archived text sources/nato.txt",
        "author": [{"family": "Chamberlain", "given": "Nigel"}],
        "URL": "https://example.org/nato?a=1&b=2"}
    assert items[SID]["language"] == "fr"
    facts_listed = cli("list", "facts", "--format", "csl-json", cwd=desk)
    assert (facts_listed.returncode, facts_listed.stderr) == (
        2, "error: --format csl-json lists sources only (hint: briefgen list sources --format "
           "csl-json)\n")
