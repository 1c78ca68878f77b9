#!/usr/bin/env python3
"""Generate synthetic but realistic briefgen fact bases for the benchmarks.

    python bench/make_factbase.py                       # the default bases (1k and 10k facts)
    python bench/make_factbase.py --facts 2500 --out /tmp/fb [--focus 800] [--seed 7]

A base is laid out as docs/facts.md describes, with nothing but `facts/`:

    DIR/facts/sources.yaml            every source (one per ~20 facts)
    DIR/facts/themes.yaml             ten themes
    DIR/facts/2019/facts-NNN.yaml     facts, ~200 per file, in date order
    DIR/facts/sources/NNNN_*.txt      archived source texts, 8-15 KB of prose each

The content is meant to look like an analyst's real base, including what makes checking costly:
curly quotes and apostrophes, accents (some decomposed, NFD), em dashes, no-break spaces,
hard-wrapped and CRLF archived texts, quotes that straighten curly quotes or dashes, and quotes
made of two fragments joined by `...` or `…`. Facts carry day-precision dates spread over 2019,
never after their sources' publication dates. One theme, the *focus* theme
(`tripoli-offensive`), holds exactly `--focus` facts (default: half of them), so a theme brief of
a known number of lines can be built from the base.

Output is deterministic for a given (facts, focus, seed). The generator checks its own quotes
with an independent copy of the documented matching rules before it finishes
(`--no-verify` skips it).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import math
import random
import re
import shutil
import sys
import textwrap
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

# Any edit of this file changes the hash, so bench/data is regenerated instead of reused.
GENERATOR_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
DEFAULT_SEED = 20190404
DATA_DIR = Path(__file__).resolve().parent / "data"
FACTS_PER_FILE = 200
FACTS_PER_SOURCE = 20
YEAR = 2019
MAX_PER_WEEK = 200
FOCUS_THEME = "tripoli-offensive"

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

THEMES = [
    ("tripoli-offensive", "The Tripoli offensive",
     "Haftar’s push on the capital since April 2019, the front lines and who fights on them."),
    ("russian-motives", "Russian motives",
     "Why Moscow courts eastern Libya’s commanders, and what it expects in return."),
    ("nato-security-assistance", "NATO security assistance",
     "What NATO offers Libya and on what terms."),
    ("oil-and-the-noc", "Oil and the National Oil Corporation",
     "Production, blockades and the fight over oil revenue."),
    ("migration-central-mediterranean", "Migration across the central Mediterranean", None),
    ("un-mediation", "UN mediation and the Berlin process",
     "Salamé’s three-point plan, the postponed national conference, and the road to Berlin."),
    ("turkish-involvement", "Turkish involvement",
     "Ankara’s drones, advisers and maritime deal with the Government of National Accord."),
    ("egypt-uae-support", "Egyptian and Emirati support for the LNA", None),
    ("fezzan-and-the-south", "Fezzan and the south",
     "Tribal conflict, Chadian and Sudanese armed groups, and the oil fields of the south-west."),
    ("economic-governance", "Central bank, budgets and economic governance", None),
]

PLACES = ["Tripoli", "Gharyan", "Tarhuna", "Ain Zara", "Salah al-Din", "Wadi Rabi", "Qasr bin "
          "Ghashir", "Aziziya", "Misrata", "Sirte", "Zawiya", "Zuwara", "Tajoura", "Janzour",
          "Benghazi", "Derna", "Ajdabiya", "Ras Lanuf", "Brega", "Sidra", "Zueitina", "Sabha",
          "Ubari", "Murzuq", "Kufra", "Ghadames", "Al-Jufra", "Bani Walid", "Zliten", "Tobruk"]
FIELDS = ["Sharara", "El Feel", "Waha", "Zelten", "Sarir", "Messla", "Nafoora", "Bouri"]
PORTS = ["Ras Lanuf", "Sidra", "Brega", "Zueitina", "Hariga", "Zawiya", "Mellitah"]
CITIES = ["Paris", "Rome", "Moscow", "Ankara", "Cairo", "Abu Dhabi", "Washington", "Berlin",
          "Brussels", "Algiers", "Tunis", "New York"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

PEOPLE = {
    "haftar": "Khalifa Haftar", "sarraj": "Fayez al-Sarraj", "salame": "Ghassan Salamé",
    "williams": "Stephanie Williams", "bashagha": "Fathi Bashagha", "sanalla": "Mustafa Sanalla",
    "mismari": "Ahmed al-Mismari", "saleh": "Aguila Saleh", "mishri": "Khaled al-Mishri",
    "lavrov": "Sergey Lavrov", "zakharova": "Maria Zakharova", "bogdanov": "Mikhail Bogdanov",
    "stoltenberg": "Jens Stoltenberg", "erdogan": "Recep Tayyip Erdoğan",
    "cavusoglu": "Mevlüt Çavuşoğlu", "sisi": "Abdel Fattah el-Sisi",
    "ledrian": "Jean-Yves Le Drian",
    "maas": "Heiko Maas", "conte": "Giuseppe Conte", "guterres": "António Guterres",
    "kabir": "Sadiq al-Kabir", "hibri": "Ali al-Hibri", "gaddour": "Ahmed Gaddour",
}
ORGS = ["the Government of National Accord", "the Libyan National Army", "UNSMIL",
        "the House of Representatives", "the High Council of State", "the National Oil "
        "Corporation", "the Central Bank of Libya", "the European Union", "the African Union",
        "the UN panel of experts", "the Misrata brigades", "the Kaniyat militia",
        "the Rada Special Deterrence Force", "the Tripoli Revolutionaries’ Brigade"]


def _as_said(actor: str) -> str:
    """An actor's name as a line says it: 'the Kaniyat militia', not 'Kaniyat militia'."""
    return f"the {actor}" if f"the {actor}" in ORGS else actor


# Claims per theme: what facts state and what sources report. Slots are filled by `_fill`.
CLAIMS = {
    "tripoli-offensive": [
        "forces loyal to {haftar} advanced towards {place} from the south",
        "fighting around {place} displaced some {big} people in {n} days",
        "the LNA’s air force carried out {n} strikes on positions near {place}",
        "brigades aligned with the Government of National Accord retook {place} after a night of "
        "street fighting",
        "a drone strike hit a detention centre in {place}, killing at least {n} people",
        "the front line south of Tripoli barely moved during {month}",
        "Mitiga airport suspended flights for the {nth} time after rockets landed near the runway",
        "{mismari} claimed that the LNA controlled {n} neighbourhoods of the capital",
        "ambulances could not reach the wounded in {place} because of sniper fire",
        "{sarraj} accused {haftar} of staging “a coup against the political process”",
    ],
    "russian-motives": [
        "Moscow sees the LNA as a partner in the eastern Mediterranean",
        "Russian private military contractors were deployed to the front near {place}",
        "{lavrov} called for “an inclusive dialogue among all Libyan parties”",
        "dinars printed by Goznak worth {big} million were shipped to the eastern central bank",
        "Moscow hoped to revive Gaddafi-era contracts for arms, rail and wheat",
        "{bogdanov} received a delegation from the House of Representatives in Moscow",
        "{zakharova} denied that Russian citizens were fighting in Libya",
        "Russian snipers were reported on the Salah al-Din front",
    ],
    "nato-security-assistance": [
        "NATO was ready to help build Libya’s defence and security institutions",
        "any training activities would take place outside Libya",
        "the alliance ruled out deploying troops in a combat role",
        "{stoltenberg} said NATO would support the UN-led political process",
        "a NATO team visited Tripoli to assess the needs of the defence ministry",
        "allies disagreed over how far to engage with rival commanders",
        "the alliance’s maritime operation shared information with the EU’s Operation Sophia",
    ],
    "oil-and-the-noc": [
        "output at the {field} field fell to {big} barrels a day",
        "the NOC declared force majeure on loadings from {port}",
        "{sanalla} warned that the shutdown cost the country {n} million dollars a day",
        "guards at the {field} field went on strike over unpaid salaries",
        "a tanker loaded {big} barrels at {port} despite the fighting",
        "production recovered to {big_m} million barrels a day, the highest since 2013",
        "the NOC’s chairman refused to split the corporation between east and west",
    ],
    "migration-central-mediterranean": [
        "{big} migrants were intercepted off {place} by the Libyan coastguard",
        "the EU extended Operation Sophia by six months without ships",
        "UNHCR evacuated {n} refugees from Tripoli to Niger",
        "a boat capsized off {place} with about {n} people on board",
        "conditions in the detention centre at {place} were described as “inhumane”",
        "Italy renewed its memorandum with Libya on migration for three years",
    ],
    "un-mediation": [
        "{salame} proposed a three-point plan beginning with a truce for Eid",
        "the national conference planned for Ghadames was postponed indefinitely",
        "the Security Council failed to agree on a ceasefire resolution",
        "{williams} met the representatives of {n} municipalities in {city}",
        "{guterres} said there was “no military solution” to the conflict",
        "Germany invited the foreign powers involved to a conference in Berlin",
        "{salame} briefed the Security Council on the arms-embargo violations",
    ],
    "turkish-involvement": [
        "Turkish drones were seen at Mitiga airport",
        "{erdogan} said Ankara would not abandon the Government of National Accord",
        "a maritime memorandum was signed between Ankara and Tripoli",
        "armoured vehicles from Turkey were unloaded in the port of {place}",
        "{cavusoglu} said Turkish support for Tripoli was “legitimate”",
        "the LNA threatened to target Turkish ships and companies",
    ],
    "egypt-uae-support": [
        "Emirati-operated Wing Loong drones struck positions near {place}",
        "{sisi} received {haftar} in Cairo",
        "the UN panel of experts documented {n} violations of the arms embargo",
        "a Pantsir air-defence system was photographed at Al-Jufra",
        "Egypt described the LNA as fighting “terrorist militias”",
        "cargo flights from the UAE landed at al-Khadim air base",
    ],
    "fezzan-and-the-south": [
        "tribal clashes in {place} killed {n} people",
        "Chadian rebels moved north through the Fezzan",
        "the LNA took control of the {field} oilfield",
        "Tebu and Awlad Suleiman fighters clashed in the south of {place}",
        "an airstrike on a gathering in Murzuq killed {n} civilians",
        "electricity cuts in Sabha lasted up to {n} hours a day",
    ],
    "economic-governance": [
        "the central bank in Tripoli published its first audited statement since 2014",
        "a budget of {big} million dinars was approved by the Presidency Council",
        "a fuel-smuggling ring was dismantled in {place}",
        "{kabir} met the governor of the parallel central bank in Benghazi",
        "the fee on foreign-currency transactions was cut to {n} per cent",
        "banks in {place} ran out of cash for the {nth} week in a row",
    ],
}
THEME_PEOPLE = {
    "tripoli-offensive": ["haftar", "sarraj", "mismari", "bashagha"],
    "russian-motives": ["lavrov", "bogdanov", "zakharova", "haftar"],
    "nato-security-assistance": ["stoltenberg", "sarraj"],
    "oil-and-the-noc": ["sanalla", "haftar"],
    "migration-central-mediterranean": ["conte", "bashagha"],
    "un-mediation": ["salame", "williams", "guterres", "maas"],
    "turkish-involvement": ["erdogan", "cavusoglu", "sarraj"],
    "egypt-uae-support": ["sisi", "haftar", "saleh"],
    "fezzan-and-the-south": ["haftar", "gaddour"],
    "economic-governance": ["kabir", "hibri", "mishri"],
}
BACKGROUND = [
    "Libya has been divided between rival administrations in Tripoli and the east since 2014.",
    "The country holds Africa’s largest proven oil reserves.",
    "Diplomats in {city} said privately that the talks had reached an impasse.",
    "The claims could not be independently verified.",
    "Neither side responded to requests for comment.",
    "Residents described long queues for fuel and bread — a sign of how far services have "
    "collapsed.",
    "Analysts said the balance of forces had shifted little since {month}.",
    "Local journalists reported that mobile networks were down across {place}.",
    "Officials in {city} declined to say whether they had been consulted.",
    "The figures are estimates; access to the area is restricted.",
    "“We are waiting for the world to act,” said a resident of {place}, who asked not to be "
    "named.",
    "A café owner in {place} said business had dropped by half since the fighting began.",
    "The ministry’s statement did not give details.",
]
FRAMES = [
    "{claim}.",
    "{claim}.",
    "According to {org}, {claim}.",
    "{person} said on {weekday} that {claim}, a claim {org} rejected.",
    "{person} told reporters in {city} that “{claim}”.",
    "“{Claim},” {person} said, adding that {claim2}.",
    "It was not immediately clear whether {claim}.",
    "The move came after {claim} — the {nth} such incident this year.",
    "In {place}, residents said {claim}.",
    "Sources close to {org} confirmed that {claim}.",
]
STATEMENT_FRAMES = [
    "{Claim}.",
    "{Claim}.",
    "{Claim}.",
    "{person} said {claim}.",
    "According to {org}, {claim}.",
    "{Claim}, according to {pub}.",
    "Reports said {claim}; {org} denied it.",
]
ORDINALS = ["second", "third", "fourth", "fifth", "sixth", "seventh"]

# (name, reliability, french?, language of the name)
PUBLISHERS = [
    ("Libya Herald", "B"), ("Libya Observer", "C"), ("Reuters", "A"), ("Agence France-Presse", "A"),
    ("Le Monde", "B"), ("Libération", "B"), ("Der Spiegel", "B"), ("The Guardian", "B"),
    ("Middle East Eye", "C"), ("International Crisis Group", "B"), ("Chatham House", "B"),
    ("NATO Watch", "C"), ("RIA Novosti", "D"), ("Anadolu Ajansı", "D"), ("Asharq Al-Awsat", "C"),
    ("مركز المستقبل للأبحاث والدراسات المتقدمة", "B"), ("UNSMIL press office", "A"),
    ("Jamestown Foundation", "C"), ("European Council on Foreign Relations", "B"),
    ("Al-Monitor", "C"), ("Noria Research", "B"), ("Small Arms Survey", "B"),
    ("Oil & Gas Journal", "B"), ("Al Jazeera", "C"), ("Agenzia Nova", "C"),
]
FRENCH = {"Le Monde", "Libération", "Agence France-Presse"}
AUTHORS = ["Nigel Chamberlain", "Frederic Wehrey", "Wolfram Lacher", "Jalel Harchaoui",
           "Claudia Gazzini", "Tarek Megerisi", "Emadeddin Badi", "Mary Fitzgerald",
           "Hélène Sallon",
           "Frédéric Bobin", "Ulf Laessing", "Aidan Lewis", "Sami Zaptia", "Mirco Keilberth",
           "Ayman al-Warfalli", "Safa Alharathy", "Ahmed Elumami", "Jason Pack", "Hamza Hendawi"]
HEADLINES = [
    "{place}: fighting resumes as talks stall", "What {city} wants in Libya",
    "The battle for {place}, week by week", "Libya’s oil: who holds the valves?",
    "Inside the LNA’s southern campaign", "Drones over {place}", "A capital under siege",
    "Why the ceasefire in {place} did not hold", "Libya’s economy after {month}’s clashes",
    "Migrants trapped in {place}", "Interview: {person} on the road to a settlement",
    "The {field} shutdown and the fight over revenue", "Foreign powers and the war for Tripoli",
]
TAGS = ["airstrike", "drones", "ceasefire", "casualties", "displacement", "arms-embargo",
        "oil", "diplomacy", "finance", "detention", "mercenaries", "elections", "blockade"]
KIND_WEIGHTS = [("event", 50), ("statement", 25), ("assessment", 15), ("allegation", 10)]
CRED_WEIGHTS = [(1, 5), (2, 30), (3, 35), (4, 15), (5, 10), (6, 5)]

# --------------------------------------------------------------------------------------------
# Matching (an independent copy of the documented rules, to verify our own output)
# --------------------------------------------------------------------------------------------

_FOLD = str.maketrans({**{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58"
                          "\ufe63\uff0d"},
                       **{c: "'" for c in "\u2018\u2019\u201a\u201b"},
                       **{c: '"' for c in "\u201c\u201d\u201e\u201f"}})
_WS = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFKC, curly quotes to straight, dashes to '-', white space runs to one space."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).translate(_FOLD))


def quote_matches(quote: str, folded_source: str) -> bool:
    fragments = [f.strip() for f in fold(quote).split("...")]
    if any(not f for f in fragments) or len(" ".join(fragments).split()) < 4:
        return False
    at = 0
    for fragment in fragments:
        found = folded_source.find(fragment, at)
        if found < 0:
            return False
        at = found + len(fragment)
    return True


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class FactRec:
    index: int
    date: date
    themes: list[str]
    id: str = ""
    claim: str = ""  # what happened, in the words the sources use
    statement: str = ""
    kind: str = "event"
    credibility: int = 3
    actors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sources: list[SourceDoc] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


@dataclass(eq=False)
class SourceDoc:
    index: int
    id: str
    title: str
    publisher: str
    reliability: str
    author: str | None
    url: str | None
    published: object  # date, "YYYY-MM" or int year, as written in YAML
    published_min: date  # earliest day the published value can mean
    date_line: str
    file: str
    theme: str
    facts: list[FactRec] = field(default_factory=list)  # facts citing it, in citing order
    paragraphs: list[list[str]] = field(default_factory=list)  # sentences, NFC
    # fact index -> (paragraph, sentence, claim start, claim end) in paragraphs[p][s]
    where: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    french: bool = False  # archived with French typography (12 000 with a no-break space)
    text: str = ""  # as archived on disk


class FlowList(list):
    """A list written in flow style: `themes: [a, b]`."""


class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Block style, no anchors/aliases (which PyYAML emits for shared date objects)."""

    def ignore_aliases(self, data) -> bool:
        return True


Dumper.add_representer(
    FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


UNIQUE_DRAWS = 50  # tries at a sentence no other source has
_THOUSANDS = re.compile(r"(\d),(\d{3})\b")
_EDGE = " \u00a0“”‘’\"'(),;:—-.!?"


class Generator:
    def __init__(self, n_facts: int, focus: int, seed: int):
        if n_facts < len(THEMES):
            raise SystemExit(f"--facts must be at least {len(THEMES)}")
        if not 1 <= focus <= n_facts - (len(THEMES) - 1):
            raise SystemExit(f"--focus must be between 1 and {n_facts - len(THEMES) + 1}")
        self.n = n_facts
        self.focus = focus
        self.rng = random.Random(seed)
        self.sources: list[SourceDoc] = []
        self.facts: list[FactRec] = []
        self._source_ids: set[str] = set()
        self._sentences: set[str] = set()  # every sentence written so far, in any source

    # -- text ----------------------------------------------------------------------------------

    def _fill(self, template: str, theme: str, claim: str | None = None, cap: bool = True) -> str:
        """Fill {slots}; {claim}/{Claim} take CLAIM when given, else a random claim of THEME."""
        rng = self.rng
        people = [PEOPLE[k] for k in THEME_PEOPLE[theme]]

        def big() -> str:
            value = rng.choice([rng.randint(120, 990), rng.randint(1, 95) * 1000,
                                rng.randint(1, 40) * 500])
            return f"{value:,}"

        slots = {
            "place": lambda: rng.choice(PLACES), "city": lambda: rng.choice(CITIES),
            "field": lambda: rng.choice(FIELDS), "port": lambda: rng.choice(PORTS),
            "n": lambda: str(rng.randint(2, 60)), "big": big,
            "big_m": lambda: f"{rng.randint(10, 13) / 10:.1f}",
            "month": lambda: rng.choice(MONTHS), "weekday": lambda: rng.choice(WEEKDAYS),
            "nth": lambda: rng.choice(ORDINALS), "org": lambda: rng.choice(ORGS),
            "person": lambda: rng.choice(people),
            "pub": lambda: rng.choice(PUBLISHERS[:15])[0],
            **{k: (lambda v=v: v) for k, v in PEOPLE.items()},
        }

        def sub(m: re.Match) -> str:
            key = m.group(1)
            if key in ("claim", "Claim", "claim2"):
                if claim is not None and key != "claim2":
                    value = claim
                else:
                    value = self._fill(rng.choice(CLAIMS[theme]), theme, cap=False)
                return value[0].upper() + value[1:] if key == "Claim" else value
            return slots[key]()

        text = re.sub(r"\{(\w+)\}", sub, template)
        return text[0].upper() + text[1:] if cap else text

    def _filler(self, theme: str) -> str:
        rng = self.rng
        if rng.random() < 0.25:
            return self._fill(rng.choice(BACKGROUND), theme)
        # now and then a neighbouring theme's story, as real articles wander
        t = theme if rng.random() < 0.85 else rng.choice(THEMES)[0]
        return self._fill(rng.choice(FRAMES), t)

    def _source_text(self, src: SourceDoc) -> None:
        """Write SRC's archived text: every citing fact's claim, among background prose."""
        rng = self.rng
        target = rng.randint(8000, 15000)
        embedded = [(f, self._unique(lambda f=f: self._fill(rng.choice(FRAMES), src.theme,
                                                            claim=f.claim)))
                    for f in src.facts]
        size = sum(len(s) + 1 for _, s in embedded)
        fillers = []
        while size < target:
            fillers.append(self._unique(lambda: self._filler(src.theme)))
            size += len(fillers[-1]) + 1
        sentences: list[tuple[FactRec | None, str]] = [(None, s) for s in fillers]
        for item in embedded:
            sentences.insert(rng.randint(0, len(sentences)), item)
        src.french = src.publisher in FRENCH
        i = 0
        while i < len(sentences):
            n = rng.randint(3, 7)
            paragraph = []
            for fact, sentence in sentences[i:i + n]:
                if fact is not None and fact.index not in src.where:
                    claim = fact.claim
                    at = sentence.find(claim)
                    if at < 0:  # capitalised at the start of the sentence or of a quotation
                        claim = claim[0].upper() + claim[1:]
                        at = sentence.find(claim)
                    assert at >= 0, (sentence, claim)
                    src.where[fact.index] = (len(src.paragraphs), len(paragraph),
                                             at, at + len(claim))
                paragraph.append(sentence)
            src.paragraphs.append(paragraph)
            i += n
        header = [src.title, f"{src.publisher} — {src.date_line}"]
        if src.author:
            header.append(f"By {src.author}")
        body = [self._typeset(src, " ".join(p)) for p in src.paragraphs]
        if rng.random() < 0.45:  # hard-wrapped archive (never breaking at hyphens: "al-Sarraj")
            width = rng.randint(68, 80)
            body = [textwrap.fill(p, width, break_long_words=False, break_on_hyphens=False)
                    for p in body]
        text = "\n\n".join(header + body) + "\n"
        if rng.random() < 0.06:  # scraped with decomposed accents
            text = unicodedata.normalize("NFD", text)
        if rng.random() < 0.05:  # saved on Windows
            text = text.replace("\n", "\r\n")
        src.text = text

    def _unique(self, draw) -> str:
        """A sentence no source has yet (a few draws at most): independent outlets do not
        share whole sentences, and `check` takes sources that do for one line of reporting."""
        for _ in range(UNIQUE_DRAWS):
            sentence = draw()
            if sentence not in self._sentences:
                break
        self._sentences.add(sentence)
        return sentence

    @staticmethod
    def _typeset(src: SourceDoc, text: str) -> str:
        """French typography for French publishers: 12 000 with a no-break space."""
        return _THOUSANDS.sub("\\1\u00a0\\2", text) if src.french else text

    @staticmethod
    def _span(text: str, tokens: list[tuple[int, int]], lo: int, hi: int) -> str | None:
        """Words LO..HI-1 of TEXT (TOKENS are their offsets), without punctuation at the ends."""
        if not 0 <= lo < hi <= len(tokens):
            return None
        quote = text[tokens[lo][0]:tokens[hi - 1][1]].strip(_EDGE)
        return quote if any(ch.isalnum() for ch in quote) else None

    @staticmethod
    def _words(quote: str) -> int:
        return sum(any(ch.isalnum() for ch in w)
                   for w in quote.replace("…", " ").replace("...", " ").split())

    def _quote(self, src: SourceDoc, fact: FactRec) -> str:
        """A quote for FACT from SRC, taken from the sentence that reports FACT's claim.

        Mostly the claim's own words or the whole sentence; sometimes two fragments joined by
        an ellipsis; sometimes a clumsy cut mid-phrase, as people do.
        """
        rng = self.rng
        p, s, a, b = src.where[fact.index]
        paragraph = src.paragraphs[p]
        sentence = paragraph[s]
        toks = [m.span() for m in re.finditer(r"\S+", sentence)]
        c0 = next(i for i, (_, e) in enumerate(toks) if e > a)  # the claim's first word
        c1 = next(i for i, (_, e) in enumerate(toks) if e >= b) + 1  # after its last word
        n = len(toks)
        span = lambda lo, hi: self._span(sentence, toks, lo, hi)  # noqa: E731
        for _ in range(200):
            roll = rng.random()
            quote = None
            if roll < 0.4:
                quote = span(c0, c1)
            elif roll < 0.6:
                quote = span(0, n)  # the whole sentence
            elif roll < 0.8:  # two fragments joined by an ellipsis, in source order
                mode = rng.randrange(3)
                if mode == 0 and c1 - c0 >= 10:
                    half = (c1 - c0) // 2
                    fa = span(c0, c0 + rng.randint(3, half - 1))
                    fb = span(c1 - rng.randint(3, half - 1), c1)
                elif mode == 1 and s + 1 < len(paragraph):
                    nxt = paragraph[s + 1]
                    ntoks = [m.span() for m in re.finditer(r"\S+", nxt)]
                    fa = span(c0, c1)
                    fb = self._span(nxt, ntoks, 0, min(len(ntoks), rng.randint(3, 8)))
                elif mode == 2 and c0 >= 3:
                    fa, fb = span(0, rng.randint(2, c0)), span(c0, c1)
                else:
                    continue
                if fa and fb:
                    quote = fa + rng.choice([" ... ", " ... ", " … ", "... "]) + fb
            else:  # a cut that ignores phrase boundaries, somewhere over the claim
                length = min(n, rng.randint(6, 20))
                hi = min(c0 + 2, n - length)
                lo = rng.randint(min(hi, max(0, c0 - 3)), hi)
                quote = span(lo, lo + length)
            if not quote or not 6 <= self._words(quote) <= 20:
                continue
            quote = self._typeset(src, quote)
            if rng.random() < 0.4:  # typed with straight quotes or a hyphen for the dash
                quote = quote.translate(str.maketrans("“”‘’", "\"\"''"))
            if "—" in quote and rng.random() < 0.5:
                quote = quote.replace("—", "-")
            return quote
        raise RuntimeError(f"could not pick a quote from {src.id} for fact {fact.index}")

    # -- structure ------------------------------------------------------------------------------

    def _dates(self) -> list[date]:
        """N day-precision dates in 2019, per ISO week between ~10 and MAX_PER_WEEK facts."""
        rng = self.rng
        weeks = []  # days of each ISO week of 2019 that fall inside 2019
        for w in range(1, 53):
            days = [date.fromisocalendar(YEAR, w, d) for d in range(1, 8)]
            weeks.append([d for d in days if d.year == YEAR])
        weights = [len(days) / 7 * rng.uniform(0.85, 1.0) for days in weeks]
        cap = MAX_PER_WEEK if self.n <= MAX_PER_WEEK * len(weeks) \
            else math.ceil(self.n / len(weeks) * 1.1)
        counts = [0] * len(weeks)
        remaining, free = self.n, list(range(len(weeks)))
        while remaining and free:  # share out, capping full weeks and re-sharing the rest
            total = sum(weights[i] for i in free)
            exact = {i: remaining * weights[i] / total for i in free}
            share = {i: min(cap - counts[i], int(exact[i])) for i in free}
            left = remaining - sum(share.values())
            for i in sorted(free, key=lambda i: exact[i] - int(exact[i]), reverse=True):
                if left <= 0:
                    break
                if counts[i] + share[i] < cap:
                    share[i] += 1
                    left -= 1
            for i in free:
                counts[i] += share[i]
            remaining = self.n - sum(counts)
            free = [i for i in free if counts[i] < cap]
        dates = []
        for days, count in zip(weeks, counts, strict=True):
            day_weights = [1.0 if d.weekday() < 5 else 0.5 for d in days]
            dates += rng.choices(days, day_weights, k=count)
        return sorted(dates)

    def _themes(self) -> list[list[str]]:
        rng = self.rng
        others = [t for t, _, _ in THEMES if t != FOCUS_THEME]
        weights = [rng.uniform(0.5, 1.5) for _ in others]
        focus_set = set(rng.sample(range(self.n), self.focus))
        result, unfocused = [], 0
        for i in range(self.n):
            if i in focus_set:
                themes = [FOCUS_THEME]
                if rng.random() < 0.3:
                    themes.append(rng.choices(others, weights)[0])
            else:
                # the first facts outside the focus theme visit every other theme once
                primary = others[unfocused] if unfocused < len(others) \
                    else rng.choices(others, weights)[0]
                unfocused += 1
                themes = [primary]
                if rng.random() < 0.25:
                    second = rng.choices(others, weights)[0]
                    if second != primary:
                        themes.append(second)
            result.append(themes)
        return result

    def _make_source(self, theme: str, facts: list[FactRec]) -> SourceDoc:
        rng = self.rng
        index = len(self.sources) + 1
        publisher, reliability = rng.choice(PUBLISHERS)
        last = max(f.date for f in facts)
        roll = rng.random()
        if roll < 0.02:  # year precision, after every fact's year
            published, pub_min, line = last.year + 1, date(last.year + 1, 1, 1), str(last.year + 1)
        elif roll < 0.12:  # month precision, after every fact's month
            nxt = date(last.year + last.month // 12, last.month % 12 + 1, 1)
            published, pub_min = f"{nxt.year:04d}-{nxt.month:02d}", nxt
            line = f"{MONTHS[nxt.month - 1]} {nxt.year}"
        else:
            published = pub_min = last + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5, 9]))
            line = f"{published.day} {MONTHS[published.month - 1]} {published.year}"
        slug = slugify(publisher) if publisher.isascii() else "future-for-advanced-research"
        sid = f"{slug}-{pub_min.isoformat()}"
        if sid in self._source_ids:
            sid += f"-{index}"
        self._source_ids.add(sid)
        title = self._fill(rng.choice(HEADLINES), theme)
        if not publisher.isascii():  # an Arabic publisher: English title, as translated
            title += " (Future for Advanced Research and Studies)"
        elif rng.random() < 0.03:
            title += " (حوار خاص)"
        src = SourceDoc(
            index=index, id=sid, title=title, publisher=publisher, reliability=reliability,
            author=rng.choice(AUTHORS) if rng.random() < 0.6 else None,
            url=(f"https://www.example.org/{slug}/{pub_min.year}/{pub_min.month:02d}/"
                 f"{slugify(title)[:60]}-{index}" if rng.random() < 0.8 else None),
            published=published, published_min=pub_min, date_line=line,
            file=f"sources/{index:04d}_{slug}.txt", theme=theme,
        )
        self.sources.append(src)
        return src

    def generate(self) -> None:
        rng = self.rng
        dates = self._dates()
        themes = self._themes()
        self.facts = [FactRec(i, d, t) for i, (d, t) in enumerate(zip(dates, themes, strict=True))]

        # Sources: per primary theme, consecutive facts (by date) in chunks of 10-30.
        by_theme: dict[str, list[FactRec]] = {}
        for f in self.facts:
            by_theme.setdefault(f.themes[0], []).append(f)
        chunks = []
        for theme, _, _ in THEMES:
            facts = by_theme.get(theme, [])
            i = 0
            while i < len(facts):
                size = rng.randint(FACTS_PER_SOURCE // 2, FACTS_PER_SOURCE * 3 // 2)
                if len(facts) - i - size < FACTS_PER_SOURCE // 2:
                    size = len(facts) - i
                chunks.append((theme, facts[i:i + size]))
                i += size
        chunks.sort(key=lambda c: (max(f.date for f in c[1]), c[0]))
        for theme, facts in chunks:
            src = self._make_source(theme, facts)
            for f in facts:
                f.sources.append(src)
                src.facts.append(f)

        # Second citations: a later source (published no earlier than the fact's date).
        order = sorted(self.sources, key=lambda s: s.published_min)
        mins = [s.published_min for s in order]
        for f in self.facts:
            if rng.random() < 0.3:
                start = bisect.bisect_left(mins, f.date)
                candidates = [s for s in order[start:start + 12] if s is not f.sources[0]]
                if candidates:
                    other = rng.choice(candidates)
                    f.sources.append(other)
                    other.facts.append(f)

        # Claims and statements, then the archived texts that report them, then quotes.
        used_ids: set[str] = set()
        for f in self.facts:
            self._fill_fact(f, used_ids)
        for src in self.sources:
            self._source_text(src)
        for f in self.facts:
            f.quotes = [self._quote(s, f) for s in f.sources]

    def _fill_fact(self, f: FactRec, used_ids: set[str]) -> None:
        rng = self.rng
        theme = f.themes[0]
        f.claim = self._fill(rng.choice(CLAIMS[theme]), theme, cap=False)
        statement = self._fill(rng.choice(STATEMENT_FRAMES), theme, claim=f.claim)
        if rng.random() < 0.15:
            statement += " " + self._fill(rng.choice(BACKGROUND), theme)
        if len(statement.split()) > 60:
            statement = " ".join(statement.split()[:55]) + "."
        f.statement = statement
        f.kind = _weighted(rng, KIND_WEIGHTS)
        f.credibility = _weighted(rng, CRED_WEIGHTS)
        people = [PEOPLE[k] for k in THEME_PEOPLE[theme]]
        f.actors = rng.sample(people, rng.randint(0, min(2, len(people))))
        if rng.random() < 0.3:
            f.actors.append(rng.choice(ORGS).removeprefix("the ").strip())
        f.tags = sorted(rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2, 3])))
        words = [w for w in slugify(f.claim).split("-") if len(w) > 3][:4] or ["fact"]
        base = "-".join(words) + f"-{f.date:%Y-%m-%d}"
        fid, k = base, 2
        while fid in used_ids:
            fid, k = f"{base}-{k}", k + 1
        used_ids.add(fid)
        f.id = fid

    # -- output ---------------------------------------------------------------------------------

    def write(self, facts_dir: Path) -> None:
        (facts_dir / "sources").mkdir(parents=True)
        (facts_dir / "2019").mkdir()
        for src in self.sources:
            (facts_dir / src.file).write_bytes(src.text.encode("utf-8"))

        def dump(path: Path, header: str, data: dict) -> None:
            text = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False,
                             default_flow_style=False, width=10_000, indent=2)
            path.write_text(header + "\n" + text, encoding="utf-8")

        sources = []
        for s in self.sources:
            entry = {"id": s.id, "title": s.title, "publisher": s.publisher}
            if s.author:
                entry["author"] = s.author
            entry["published"] = s.published
            if s.url:
                entry["url"] = s.url
            entry["file"] = s.file
            if s.index % 3:
                entry["language"] = "en"
            entry["reliability"] = s.reliability
            sources.append(entry)
        dump(facts_dir / "sources.yaml", "# Archived sources: one entry per file under sources/.",
             {"sources": sources})
        themes = []
        for tid, title, summary in THEMES:
            entry = {"id": tid, "title": title}
            if summary:
                entry["summary"] = summary
            themes.append(entry)
        dump(facts_dir / "themes.yaml", "# Themes briefs are built for.", {"themes": themes})

        for n, start in enumerate(range(0, len(self.facts), FACTS_PER_FILE), 1):
            chunk = self.facts[start:start + FACTS_PER_FILE]
            facts = []
            for f in chunk:
                entry = {"id": f.id, "statement": f.statement, "themes": FlowList(f.themes),
                         "date": f.date}
                if f.kind != "event" or f.index % 2:
                    entry["kind"] = f.kind
                if f.kind != "event":  # whose words they are, as `check` asks of such a fact
                    entry["attributed_to"] = (_as_said(f.actors[0]) if f.actors
                                              else f.sources[0].publisher)
                entry["credibility"] = f.credibility
                if f.actors:
                    entry["actors"] = FlowList(f.actors)
                if f.tags or f.index % 7 == 0:
                    entry["tags"] = FlowList(f.tags)
                entry["citations"] = [{"source": s.id, "quote": q}
                                      for s, q in zip(f.sources, f.quotes, strict=True)]
                facts.append(entry)
            header = f"# Facts {chunk[0].date} to {chunk[-1].date}."
            dump(facts_dir / "2019" / f"facts-{n:03d}.yaml", header, {"facts": facts})

    def verify(self) -> list[str]:
        """Check the generated base against the documented rules with our own normaliser."""
        problems = []
        folded = {s.id: fold(s.text) for s in self.sources}
        cited = Counter()
        for f in self.facts:
            if len(f.statement.split()) > 60:
                problems.append(f"{f.id}: statement longer than 60 words")
            for s, q in zip(f.sources, f.quotes, strict=True):
                cited[s.id] += 1
                if not quote_matches(q, folded[s.id]):
                    problems.append(f"{f.id}: quote not found in {s.id}: {q!r}")
                if f.date > s.published_min:
                    problems.append(f"{f.id}: dated {f.date} after {s.id} ({s.published})")
        problems += [f"{s.id}: never cited" for s in self.sources if not cited[s.id]]
        theme_counts = Counter(t for f in self.facts for t in f.themes)
        problems += [f"theme {t}: no facts" for t, _, _ in THEMES if not theme_counts[t]]
        if theme_counts[FOCUS_THEME] != self.focus:
            problems.append(f"focus theme has {theme_counts[FOCUS_THEME]} facts, not {self.focus}")
        slug = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
        for kind, ids in (("fact", [f.id for f in self.facts]),
                          ("source", [s.id for s in self.sources])):
            problems += [f"bad {kind} id {i}" for i in ids if not slug.match(i)]
            problems += [f"duplicate {kind} id {i}" for i, c in Counter(ids).items() if c > 1]
        return problems

    def stats(self) -> dict:
        weeks = Counter(f.date.isocalendar()[:2] for f in self.facts)
        themes = Counter(t for f in self.facts for t in f.themes)
        quotes = [q for f in self.facts for q in f.quotes]
        return {
            "facts": len(self.facts), "sources": len(self.sources),
            "citations": len(quotes),
            "ellipsis_quotes": sum(("..." in q or "…" in q) for q in quotes),
            "source_bytes": sum(len(s.text.encode()) for s in self.sources),
            "facts_per_week_min": min(weeks.values()), "facts_per_week_max": max(weeks.values()),
            "facts_in_2019_W23": weeks.get((2019, 23), 0),
            "facts_per_theme": dict(themes.most_common()),
        }


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def params_for(n_facts: int, focus: int | None = None, seed: int = DEFAULT_SEED) -> dict:
    return {"generator_version": GENERATOR_VERSION, "facts": n_facts,
            "focus": n_facts // 2 if focus is None else focus, "seed": seed,
            "focus_theme": FOCUS_THEME}


def generate(out: Path, n_facts: int, focus: int | None = None, seed: int = DEFAULT_SEED,
             verify: bool = True, quiet: bool = False) -> dict:
    """Write a base to OUT/facts (replacing what is there) and OUT/params.json; return params."""
    params = params_for(n_facts, focus, seed)
    gen = Generator(n_facts, params["focus"], seed)
    gen.generate()
    if verify:
        problems = gen.verify()
        if problems:
            for p in problems[:20]:
                print(f"make_factbase: {p}", file=sys.stderr)
            raise SystemExit(f"make_factbase: {len(problems)} problem(s) in the generated base")
    if (out / "facts").exists():
        shutil.rmtree(out / "facts")
    out.mkdir(parents=True, exist_ok=True)
    (out / "params.json").unlink(missing_ok=True)
    gen.write(out / "facts")
    params["stats"] = gen.stats()
    # written last: its presence means the base is complete
    (out / "params.json").write_text(json.dumps(params, indent=2, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    if not quiet:
        s = params["stats"]
        print(f"make_factbase: {out / 'facts'}: {s['facts']} facts, {s['sources']} sources "
              f"({s['source_bytes'] / 1e6:.1f} MB), {s['citations']} citations, focus theme "
              f"{FOCUS_THEME!r} = {params['focus']} facts, {s['facts_per_week_min']}-"
              f"{s['facts_per_week_max']} facts per ISO week", file=sys.stderr)
    return params


def default_dir(n_facts: int, focus: int | None = None, seed: int = DEFAULT_SEED) -> Path:
    p = params_for(n_facts, focus, seed)
    return DATA_DIR / f"facts-{p['facts']}-focus-{p['focus']}-seed-{p['seed']}"


def ensure(n_facts: int, focus: int | None = None, seed: int = DEFAULT_SEED,
           out: Path | None = None, quiet: bool = False) -> tuple[Path, dict]:
    """The base's facts/ directory and params, generated unless present with the same params."""
    out = out or default_dir(n_facts, focus, seed)
    wanted = params_for(n_facts, focus, seed)
    try:
        have = json.loads((out / "params.json").read_text(encoding="utf-8"))
        if {k: have.get(k) for k in wanted} == wanted and (out / "facts").is_dir():
            return out / "facts", have
    except (OSError, ValueError):
        pass
    return out / "facts", generate(out, n_facts, focus, seed, quiet=quiet)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--facts", type=int, action="append",
                    help="number of facts (repeatable; default: 1000 and 10000)")
    ap.add_argument("--focus", type=int,
                    help=f"facts in the focus theme {FOCUS_THEME!r} (default: half of --facts)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path,
                    help="output directory (gets facts/ and params.json); "
                         "default under bench/data/")
    ap.add_argument("--force", action="store_true", help="regenerate even if present")
    ap.add_argument("--no-verify", action="store_true", help="skip the self-check of quotes")
    args = ap.parse_args(argv)
    sizes = args.facts or [1000, 10000]
    if args.out and len(sizes) > 1:
        ap.error("--out takes a single --facts")
    for n in sizes:
        out = args.out or default_dir(n, args.focus, args.seed)
        if args.force or args.no_verify:
            generate(out, n, args.focus, args.seed, verify=not args.no_verify)
        else:
            facts_dir, _ = ensure(n, args.focus, args.seed, out)
            print(f"make_factbase: {facts_dir} ready", file=sys.stderr)
        print(out / "facts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
