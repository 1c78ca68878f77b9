"""A new desk's first weeks, end to end, as issue 24 tried it: a Sahel desk (7 sources, 18 facts,
4 themes, 3 readers) is made with `init`, sends its week over a real SMTP server, then a source
is withdrawn and the desk sends the correction. Every step is a command a desk runs."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

from .conftest import write
from .test_editions import poppler, untyped, words
from .test_send import attachments

WEEK = "2023-W32"  # 7-13 August 2023
SOURCES = {  # id: (publisher, title, day, reliability, text)
    "wire-abuja": ("Example Wire", "ECOWAS orders standby force", "10", "B",
                   "ECOWAS leaders meeting in Abuja on Thursday ordered the activation of a "
                   "standby force. The bloc said it still preferred a diplomatic solution in "
                   "Niger. Mali and Burkina Faso said any intervention in Niger would be treated "
                   "as a declaration of war against them."),
    "wire-bamako": ("Example Wire", "Russian instructors in Bamako", "08", "B",
                    "Russian instructors were seen at the airport of Bamako on Monday. "
                    "Wagner-linked channels praised the new leaders in Niamey. A Russian "
                    "delegation met officials of the junta in Ouagadougou on Tuesday."),
    "blog-niamey": ("A blog", "Russian fighters in Niamey", "09", "D",
                    "Sources close to the junta claim that 300 Russian fighters arrived in "
                    "Niamey this week."),
    "agency-aid": ("Aid Agency", "Niger: humanitarian update", "11", "A",
                   "More than 2.5 million people in Niger need humanitarian aid, the agency "
                   "said. Border closures have stopped 400 trucks of food at the Benin border. "
                   "Prices of rice in Niamey rose by a fifth in two weeks."),
    "ministry-defence": ("Ministry of Defence", "Operations update", "11", "C",
                         "Gunmen killed 17 soldiers near the border with Mali on Tuesday. An "
                         "attack on a convoy in Tillaberi left six dead on Wednesday. The army "
                         "said it had killed 30 militants in an air strike on Friday."),
    "daily-niamey": ("Niamey Daily", "A civilian prime minister", "07", "B",
                     "The junta named a civilian prime minister on Monday. The United States "
                     "paused some aid programmes in Niger. France said its troops would stay at "
                     "the request of the legitimate authorities."),
    "institute-note": ("Example Institute", "The Sahel after Niamey", "11", "C",
                       "The junta's ties with Moscow are likely to deepen as Western partners "
                       "step back. ECOWAS is divided over the use of force."),
}
ECOWAS, RUSSIA, VIOLENCE, AID = ("ecowas-juntas", "russia-sahel", "jihadist-violence",
                                 "humanitarian")
THEMES = {ECOWAS: "ECOWAS and the juntas", RUSSIA: "Russia in the Sahel",
          VIOLENCE: "Jihadist violence", AID: "Humanitarian situation"}
FACTS = [  # id, themes, day, source, quote, statement, extra keys
    ("standby-force", [ECOWAS], "10", "wire-abuja", "ordered the activation of a standby force",
     "ECOWAS leaders ordered the activation of a standby force.", ""),
    ("diplomacy-first", [ECOWAS], "10", "wire-abuja",
     "still preferred a diplomatic solution in Niger",
     "ECOWAS said it still preferred a diplomatic solution in Niger.",
     "kind: statement\n    attributed_to: ECOWAS"),
    ("war-warning", [ECOWAS, RUSSIA], "10", "wire-abuja",
     "any intervention in Niger would be treated as a declaration of war against them",
     "Mali and Burkina Faso warned that an intervention in Niger would be a declaration of war "
     "on them.", "kind: statement\n    attributed_to: Mali and Burkina Faso"),
    ("instructors-bamako", [RUSSIA], "07", "wire-bamako",
     "Russian instructors were seen at the airport of Bamako",
     "Russian instructors were seen at Bamako airport.", ""),
    ("wagner-praise", [RUSSIA], "08", "wire-bamako",
     "Wagner-linked channels praised the new leaders in Niamey",
     "Wagner-linked channels praised the new leaders in Niamey.", ""),
    ("delegation-ouagadougou", [ECOWAS, RUSSIA], "08", "wire-bamako",
     "A Russian delegation met officials of the junta in Ouagadougou",
     "A Russian delegation met junta officials in Ouagadougou.", ""),
    ("fighters-niamey", [RUSSIA], "09", "blog-niamey",
     "300 Russian fighters arrived in Niamey this week",
     "A blog close to the junta claims 300 Russian fighters arrived in Niamey.",
     "kind: allegation\n    attributed_to: sources close to the junta\n    key: true"),
    ("aid-need", [AID], "11", "agency-aid", "More than 2.5 million people in Niger need "
     "humanitarian aid", "More than 2.5 million people in Niger need humanitarian aid.", ""),
    ("trucks-stopped", [AID, ECOWAS], "11", "agency-aid",
     "Border closures have stopped 400 trucks of food at the Benin border",
     "Border closures have stopped 400 trucks of food at the Benin border.", ""),
    ("rice-prices", [AID], "11", "agency-aid", "Prices of rice in Niamey rose by a fifth",
     "Rice prices in Niamey rose by a fifth in two weeks.", ""),
    ("soldiers-killed", [VIOLENCE], "08", "ministry-defence",
     "Gunmen killed 17 soldiers near the border with Mali",
     "Gunmen killed 17 soldiers near the border with Mali.", ""),
    ("convoy-attack", [VIOLENCE], "09", "ministry-defence",
     "An attack on a convoy in Tillaberi left six dead",
     "An attack on a convoy in Tillaberi left six dead.", ""),
    ("air-strike", [VIOLENCE], "11", "ministry-defence",
     "it had killed 30 militants in an air strike",
     "The army said it killed 30 militants in an air strike.",
     "kind: statement\n    attributed_to: the army"),
    ("civilian-pm", [ECOWAS], "07", "daily-niamey", "The junta named a civilian prime minister",
     "The junta named a civilian prime minister.", ""),
    ("us-pauses-aid", [ECOWAS, AID], "07", "daily-niamey",
     "The United States paused some aid programmes in Niger",
     "The United States paused some aid programmes in Niger.", ""),
    ("france-stays", [ECOWAS], "07", "daily-niamey",
     "its troops would stay at the request of the legitimate authorities",
     "France said its troops would stay at the request of the legitimate authorities.",
     "kind: statement\n    attributed_to: France"),
    ("moscow-ties", [RUSSIA], "11", "institute-note",
     "The junta's ties with Moscow are likely to deepen",
     "The junta's ties with Moscow are likely to deepen as Western partners step back.",
     "kind: assessment\n    attributed_to: the Example Institute"),
    ("ecowas-divided", [ECOWAS], "11", "institute-note", "ECOWAS is divided over the use of force",
     "ECOWAS is divided over the use of force.", "kind: assessment\n    attributed_to: the "
     "Example Institute"),
]
READERS = """\
readers:
  - name: Amina Diallo
    email: amina.diallo@example.org
  - name: Pierre Martin
    email: pierre.martin@example.org
    themes: [russia-sahel]
  - name: Kofi Mensah
    email: kofi.mensah@example.org
    themes: [humanitarian, jihadist-violence]
"""
WITHDRAWN = ("    reliability: D\n", "    reliability: D\n    status: withdrawn\n"
             "    status_date: 2023-08-14\n"
             "    status_note: The blog deleted the post; no other outlet reported it.\n")


def make_desk(root: Path) -> None:
    """The Sahel desk's files in place of the example ones `init` wrote."""
    facts = root / "facts"
    for example in [*facts.glob("*.yaml"), *(facts / "sources").iterdir()]:
        example.unlink()
    entries = []
    for sid, (publisher, title, day, reliability, text) in SOURCES.items():
        write(facts / "sources" / f"{sid}.txt", textwrap.fill(text, 90) + "\n")
        entries.append(f"  - id: {sid}\n    title: \"{title}\"\n    publisher: {publisher}\n"
                       f"    published: 2023-08-{day}\n    file: sources/{sid}.txt\n"
                       f"    reliability: {reliability}\n")
    write(facts / "sources.yaml", "sources:\n" + "".join(entries))
    write(facts / "themes.yaml", "themes:\n" + "".join(
        f"  - id: {tid}\n    title: {title}\n" for tid, title in THEMES.items()))
    lines = []
    for fid, themes, day, sid, quote, statement, more in FACTS:
        lines.append(f"  - id: {fid}\n    statement: \"{statement}\"\n"
                     f"    themes: [{', '.join(themes)}]\n    date: 2023-08-{day}\n"
                     f"    credibility: 2\n" + (f"    {more}\n" if more else "")
                     + f"    citations:\n      - source: {sid}\n        quote: \"{quote}\"\n")
    write(facts / "week.yaml", "facts:\n" + "".join(lines))
    write(root / "readers.yaml", READERS)
    settings = root / "briefgen.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'classification = ""', 'classification = "OFFICIAL"'), encoding="utf-8")


def counts_agree(message, pdf: bytes) -> int:
    """The mail's count of each theme equals the developments of it the PDF prints (a
    correction's "What changed" box, which quotes withdrawn lines, left out)."""
    printed = untyped(poppler("pdftotext", pdf)).replace("- ", "")
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    if "What changed since" in text:
        for line in text.split("you received:\n")[1].split("\n\n")[0].splitlines():
            assert untyped(line[4:]) in printed
            printed = printed.replace(untyped(line[4:]), "")
    listed = text.split("the developments this brief reports on each:\n")[1].split("\n\n")[0]
    by_title = {title: tid for tid, title in THEMES.items()}
    n = 0
    for line in listed.splitlines():
        title, count = line[4:].rsplit(": ", 1)
        shown = sum(1 for fid, themes, _, _, _, statement, _ in FACTS
                    if by_title[title] in themes and untyped(statement) in printed)
        assert (title, 0 if count == "nothing new" else int(count)) == (title, shown)
        n += 1
    return n


def test_a_sahel_desk_sends_its_week_then_corrects_it(cli, tmp_path, monkeypatch, smtp):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1692000000")  # 14 August 2023
    monkeypatch.setenv("BRIEFGEN_FROM", "Sahel desk <sahel.desk@example.org>")
    assert cli("init", "sahel", "--region", "Sahel")[0] == 0
    root = tmp_path / "sahel"
    monkeypatch.chdir(root)
    make_desk(root)
    assert cli("check", "--strict") == (
        0, "", "checked 18 facts, 7 sources, 4 themes, 3 readers: 0 errors, 0 warnings\n")

    server = smtp()
    assert cli("send", "--week", WEEK) == (0, "", "sent 3 (of 3 readers)\n")
    first = {r.rcpt_tos[0]: r.message for r in server.received}
    for message in first.values():
        assert message["Subject"] == "[OFFICIAL] Sahel weekly brief, 7–13 August 2023"
        (pdf,) = attachments(message).values()
        counts_agree(message, pdf)
    # the cross-theme case of the trial: Russia in the Sahel counts the development printed
    # under ECOWAS and the juntas in the all-themes brief
    amina = first["amina.diallo@example.org"]
    text = amina.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "  - Russia in the Sahel: 6\n" in text and "  - ECOWAS and the juntas: 9\n" in text
    impact = cli("impact", "blog-niamey")[1]  # before withdrawing: who holds its line
    assert "editions sent (2, to 2 readers):" in impact
    assert "Amina Diallo" in impact and "Pierre Martin" in impact and "Kofi" not in impact

    # the blog withdraws its post: check names the fact; the curator retracts it
    facts = root / "facts"
    sources = facts / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(*WITHDRAWN, 1),
                       encoding="utf-8")
    code, out, err = cli("check")
    assert code == 1 and "[fighters-niamey] citations[0].source: cites source 'blog-niamey', " \
                         "which is withdrawn since 2023-08-14" in err
    listed = {r["id"]: r for r in json.loads(cli("list", "sources", "--json")[1])}
    assert listed["blog-niamey"]["status"] == "withdrawn"
    week = facts / "week.yaml"
    week.write_text(week.read_text(encoding="utf-8").replace(
        "  - id: fighters-niamey\n", "  - id: fighters-niamey\n    retracted: true\n"),
        encoding="utf-8")
    code, out, err = cli("send", "--week", WEEK)
    assert (code, err.splitlines()[-1]) == (1, "sent 0, already sent 1, changed 2 (of 3 readers)")
    code, out, err = cli("send", "--week", WEEK, "--resend-changed")
    assert (code, err) == (0, "sent 2, already sent 1 (of 3 readers)\n")

    corrections = {r.rcpt_tos[0]: r.message for r in server.received[3:]}
    assert sorted(corrections) == ["amina.diallo@example.org", "pierre.martin@example.org"]
    for address, message in corrections.items():
        assert message["Subject"] == "[OFFICIAL] Sahel weekly brief, 7–13 August 2023 (corrected)"
        assert message["References"] == first[address]["Message-ID"]
        files = attachments(message)
        assert list(files) == ["sahel-weekly-2023-W32-corrected-1.pdf"]
        pdf = files["sahel-weekly-2023-W32-corrected-1.pdf"]
        assert "(corrected edition)" in poppler("pdfinfo", pdf).split("\n")[0]
        cover = words(poppler("pdftotext", pdf, "-l", "1"))
        assert "Corrected edition — replaces the edition sent on 14 August 2023" in cover
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        changed = text.split("What changed since the edition you received:\n")[1].split("\n\n")[0]
        withdrawn, *moved = changed.splitlines()
        assert withdrawn.startswith("  - Withdrawn: ") and withdrawn.endswith(
            "(why: The blog deleted the post; no other outlet reported it.)")
        # the key point went: the three best graded take its place, and the correction says so
        assert len(moved) == 3 and all(
            re.match(r"  - Now under This week \(was under [^)]+\): ", line) for line in moved)
        for line in changed.splitlines():
            assert words(line[4:]) in cover.replace("- ", "") or words(line[4:]) in words(
                poppler("pdftotext", pdf, "-l", "2")).replace("- ", "")
        assert counts_agree(message, pdf)
    assert "fighters" not in words(poppler("pdftotext", pdf).split("What changed")[1].split(
        "Withdrawn:")[0])

    assert cli("send", "--week", WEEK) == (0, "", "sent 0, already sent 3 (of 3 readers)\n")
    assert len(server.received) == 5
    assert cli("ledger", "--verify") == (0, "", "checked 5 archived files: each as it was sent\n")
    code, out, err = cli("ledger", "--reader", "pierre.martin@example.org", "--save", "copies")
    saved = [Path(p) for p in out.splitlines()]
    assert [p.name for p in saved] == ["sahel-weekly-2023-W32.pdf",
                                       "sahel-weekly-2023-W32-corrected-1.pdf"]
    got = {}
    for received in server.mailbox.to("pierre.martin@example.org"):
        got.update(attachments(received.message))
    assert {p.name: p.read_bytes() for p in saved} == got
    shutil.rmtree("copies")
