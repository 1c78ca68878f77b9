"""Independent corroboration: two outlets carrying the same wire copy are one line of reporting."""

import json

from conftest import tiny_factbase, write

WIRE = ("TRIPOLI (AP) — Russian mercenaries have been deployed to the front lines south of "
        "Tripoli in support of the eastern commander Khalifa Haftar, two Libyan officials said "
        "on Tuesday, speaking on condition of anonymity because they were not authorised to "
        "brief reporters. The officials said the fighters belonged to the Wagner Group, a "
        "private military company with close ties to the Kremlin, and had arrived in September "
        "with snipers and guided missiles.")
TAIPEI = ("Taipei Times, 12 December 2019\n\nWorld news in brief.\n\n" + WIRE +
          "\n\nThe Kremlin has denied sending any forces to Libya.\n")
INSIDEOVER = ("InsideOver, 11 December 2019\n\nLibya: the war no one wants to end.\n\n" + WIRE +
              "\n\nOur correspondent adds that the front has barely moved since the spring.\n")
OTHER = ("Desert Wire, 13 December 2019\n\nResidents of Qasr bin Ghashir said they had seen "
         "foreign fighters near the front line, some of whom spoke Russian among themselves, in "
         "the days before the latest offensive began.\n")

SOURCES = """
    sources:
      - id: taipei-times-2019-12
        title: World news in brief
        publisher: Taipei Times
        published: 2019-12-12
        file: sources/taipei.txt
        reliability: C
      - id: insideover-2019-12
        title: "Libya: the war no one wants to end"
        publisher: InsideOver
        published: 2019-12-11
        file: sources/insideover.txt
        reliability: C
      - id: desert-wire-2019-12
        title: Residents report foreign fighters
        publisher: Desert Wire
        published: 2019-12-13
        file: sources/other.txt
        reliability: C
    facts:
      - id: wagner-south-of-tripoli
        statement: Russian mercenaries were deployed south of Tripoli.
        themes: [russian-motives]
        date: 2019-12
        credibility: 2
        citations:
          - source: taipei-times-2019-12
            quote: Russian mercenaries have been deployed to the front lines south of Tripoli
          - {second}
"""
SECOND = ("source: insideover-2019-12\n            quote: Russian mercenaries have been deployed "
          "to the front lines south of Tripoli")
INDEPENDENT = ("source: desert-wire-2019-12\n            quote: foreign fighters near the front "
               "line, some of whom spoke Russian")
JUDGMENT = """
    judgments:
      - id: russia-fights-for-haftar
        statement: Russian fighters take part in the offensive on Tripoli.
        themes: [russian-motives]
        date: 2019-12
        likelihood: {likelihood}
        confidence: moderate
        based_on: [wagner-south-of-tripoli]
        rationale: {rationale}
"""


def desk(tmp_path, extra: str = "", second: str = SECOND):
    facts = tiny_factbase(tmp_path)
    for name, text in (("taipei", TAIPEI), ("insideover", INSIDEOVER), ("other", OTHER)):
        (facts / "sources" / f"{name}.txt").write_text(text, encoding="utf-8")
    write(facts / "wire.yaml", SOURCES.replace("{second}", second) + extra)
    return tmp_path


PASSAGE = ("sources 'taipei-times-2019-12' and 'insideover-2019-12' share text: “TRIPOLI (AP) - "
           "Russian mercenaries have been deployed to the front lines south of Tripoli…”")


def test_a_grade_resting_on_one_wire_copy_in_two_outlets_is_warned(cli, tmp_path):
    root = desk(tmp_path)
    result = cli("check", cwd=root)
    assert result.stderr.splitlines()[:-1] == [
        "facts/wire.yaml:14:9: warning: [desert-wire-2019-12] source is cited by no fact (hint: "
        "cite it or remove it)",
        "facts/wire.yaml:25:18: warning: [wagner-south-of-tripoli] credibility: credibility 2 "
        f"rests on one line of reporting ({PASSAGE}) (hint: grade it as one report, or cite a "
        "source that reported it independently)"]


def test_an_independent_second_source_lifts_the_grade_without_a_warning(cli, tmp_path):
    root = desk(tmp_path, second=INDEPENDENT)
    result = cli("check", cwd=root)
    assert "line of reporting" not in result.stderr
    assert result.stderr.endswith(": 0 errors, 1 warning\n")  # insideover, cited by no fact


def test_a_judgment_on_one_line_of_reporting_that_claims_more_is_warned(cli, tmp_path):
    root = desk(tmp_path, JUDGMENT.format(likelihood="very likely",
                                          rationale="Two sources report the deployment."))
    lines = cli("check", cwd=root).stderr.splitlines()
    assert [line for line in lines if "russia-fights-for-haftar" in line] == [
        "facts/wire.yaml:37:17: warning: [russia-fights-for-haftar] likelihood: 'very likely', "
        f"but it rests on one line of reporting ({PASSAGE}) (hint: say what one report can "
        "carry, or rest it on an independent source)"]
    root = desk(tmp_path, JUDGMENT.format(likelihood="likely",
                                          rationale="Two sources report the deployment."))
    lines = cli("check", cwd=root).stderr.splitlines()
    assert [line for line in lines if "russia-fights-for-haftar" in line] == [
        "facts/wire.yaml:40:16: warning: [russia-fights-for-haftar] rationale: rationale says "
        f"“Two sources”, but it rests on one line of reporting ({PASSAGE}) (hint: say what one "
        "report can carry, or rest it on an independent source)"]
    # a rationale that says what the evidence is passes
    root = desk(tmp_path, JUDGMENT.format(likelihood="likely", rationale="One wire report "
                                          "carried by two outlets; no independent confirmation."))
    lines = cli("check", cwd=root).stderr.splitlines()
    assert [line for line in lines if "russia-fights-for-haftar" in line] == []


def test_list_sources_json_reports_the_lines_of_reporting(cli, tmp_path):
    root = desk(tmp_path)
    rows = {r["id"]: r["shares_text_with"] for r in
            json.loads(cli("list", "sources", "--json", cwd=root).stdout)}
    assert rows == {"nato-watch-2013-06": [], "taipei-times-2019-12": ["insideover-2019-12"],
                    "insideover-2019-12": ["taipei-times-2019-12"], "desert-wire-2019-12": []}


def test_a_boilerplate_sentence_shared_by_many_sources_joins_none_of_them():
    from briefgen.factbase.corroboration import MAX_HOLDERS, lines_of_reporting, signature
    from briefgen.factbase.quotes import normalize

    boilerplate = ("This article was produced with the support of a grant from the foundation, "
                   "which had no say over its content or its conclusions whatsoever. "
                   "Readers may republish it free of charge under a licence that requires them "
                   "to credit the authors and to link back to the original page. ")
    texts = {f"s{n}": normalize(f"Report {n} on the matter of item {n} in the region today. "
                                + boilerplate)[0] for n in range(MAX_HOLDERS + 1)}
    assert lines_of_reporting({sid: signature(t) for sid, t in texts.items()}).line == {}
    two = dict(list(texts.items())[:2])
    assert lines_of_reporting({sid: signature(t) for sid, t in two.items()}).line == {
        "s0": 0, "s1": 0}
