"""Pydantic models of fact files: sources, themes, facts, citations and judgments."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer,
                      PlainValidator, StringConstraints, WithJsonSchema)

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# [0-9], not \d: \d and int() also take Arabic-Indic, full-width and other digits.
DATE_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
_SHAPE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
_DATE = re.compile(DATE_PATTERN)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day; shown at its own precision."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError("must be a date written YYYY, YYYY-MM or YYYY-MM-DD")
        text = str(value).strip()
        if not _SHAPE.fullmatch(text):  # tested first: nearly every date matches, and is ASCII
            if any(c.isdigit() and not c.isascii() for c in text):
                raise ValueError(f"'{text}' is written with digits other than 0-9")
            raise ValueError(f"'{text}' is not a date written YYYY, YYYY-MM or YYYY-MM-DD")
        parts = [int(p) for p in text.split("-")]
        try:
            date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
            if len(parts) > 1 and not _DATE.fullmatch(text):  # 2019-00, 2019-06-00
                raise ValueError
        except ValueError:
            raise ValueError(f"'{text}' is not a real calendar date") from None
        return cls(*parts)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> date:
        if self.day:
            return self.first_day
        if not self.month:
            return date(self.year, 12, 31)
        # From the month's length, not the next month's first day: December 9999 has no next.
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def display(self) -> str:
        """Human form at its precision: '4 June 2013', 'June 2013', '2013'."""
        if self.day:
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def __str__(self) -> str:
        return "-".join([f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p])


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"'{url}' is not an http(s) URL")
    space = next((c for c in url if c.isspace()), None)
    if space is not None:  # a link cut at the space would lead elsewhere
        what = "a space" if space == " " else f"white space (U+{ord(space):04X})"
        raise ValueError(f"'{url}' contains {what}, which a URL cannot hold")
    return url


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Url = Annotated[str, AfterValidator(_check_url),
                WithJsonSchema({"type": "string", "pattern": "^https?://"})]
FuzzyDate = Annotated[
    PartialDate, PlainValidator(PartialDate.parse), PlainSerializer(str),
    WithJsonSchema({"type": ["string", "integer"], "pattern": DATE_PATTERN,
                    "description": "YYYY, YYYY-MM or YYYY-MM-DD"}),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Source(Strict):
    """An archived source document that facts quote."""

    id: Slug
    title: Text
    publisher: Text
    publisher_short: Text | None = Field(
        None, description="a shorter name for the publisher, used after the first note")
    publisher_original: Text | None = Field(
        None, description="the publisher's name in its own script, shown beside `publisher`")
    author: Text | None = None
    published: FuzzyDate
    url: Url | None = None
    file: Text = Field(description="archived text, relative to facts/")
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)] = "en"
    reliability: Literal["A", "B", "C", "D", "E", "F"] = "F"
    status: Literal["withdrawn", "discredited", "disputed"] | None = None
    status_date: FuzzyDate | None = None
    status_note: Text | None = None
    capture_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        None, description="SHA-256 of the capture as saved (page, PDF), kept beside the text")
    archived: FuzzyDate | None = Field(
        None, description="when the archived copy was made (not when the file last changed)")


class Theme(Strict):
    """A theme a brief is built for, e.g. 'Russian motives'."""

    id: Slug
    title: Text
    summary: Text | None = None


class Citation(Strict):
    """A verbatim quote from one source backing a fact."""

    source: Slug
    quote: Text
    translation: Text | None = Field(
        None, description="the quote in the desk's language, when the source is in another: "
                          "the desk's translation, printed after the original")
    translator: Text | None = Field(
        None, description="who translated the quote, when not the desk")


class Fact(Strict):
    """One line of a future brief, backed by at least one citation."""

    id: Slug
    statement: Text
    themes: list[Slug] = Field(min_length=1)
    date: FuzzyDate
    kind: Literal["event", "statement", "assessment", "allegation"] = "event"
    credibility: int = Field(default=6, ge=1, le=6, strict=True)
    attributed_to: Text | None = Field(
        default=None, description="whose view or claim it is (statement, allegation, assessment)")
    actors: list[Text] = []
    tags: list[Text] = []
    key: bool = Field(default=False, description="a key point of its week")
    retracted: bool = Field(default=False, description="kept for the record, never rendered")
    citations: list[Citation] = Field(min_length=1)


# The likelihood yardsticks a desk may judge with (`yardstick` in briefgen.toml), weakest to
# strongest; terms of the same rank cover about the same probabilities (the bands a reader sees
# are worded in wording.toml). The PHIA yardstick leaves gaps between its bands on purpose.
YARDSTICKS = {
    "icd203": ("almost no chance", "very unlikely", "unlikely", "roughly even chance",
               "likely", "very likely", "almost certain"),  # US ICD 203, the default
    "phia": ("remote chance", "highly unlikely", "unlikely", "realistic possibility",
             "likely", "highly likely", "almost certain"),  # UK PHIA probability yardstick
}
YARDSTICK_NAMES = {"icd203": "ICD 203", "phia": "PHIA"}  # as diagnostics name them
LIKELIHOODS = YARDSTICKS["icd203"]
CONFIDENCES = ("low", "moderate", "high")
# Any term of either yardstick is a well-formed likelihood; `check` holds each judgment to the
# desk's own yardstick, with a did-you-mean and the other scale's mapping.
Likelihood = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1),
                       WithJsonSchema({"type": "string", "enum": list(dict.fromkeys(
                           LIKELIHOODS + YARDSTICKS["phia"])),
                           "description": "a term of the desk's yardstick (ICD 203 or PHIA)"})]


class Revision(Strict):
    """An earlier state of a judgment: what it judged from `date`, and why it changed."""

    date: FuzzyDate
    likelihood: Likelihood
    confidence: Literal[CONFIDENCES]  # type: ignore[valid-type]
    note: Text | None = Field(None, description="why it changed after this state")


class Judgment(Strict):
    """The desk's own analytic judgment (ICD 203), resting on facts and other judgments."""

    id: Slug
    statement: Text
    themes: list[Slug] = Field(min_length=1)
    date: FuzzyDate
    likelihood: Likelihood
    confidence: Literal[CONFIDENCES]  # type: ignore[valid-type]
    based_on: list[Slug] = Field(min_length=1, description="fact and/or judgment ids")
    rationale: Text | None = Field(None, description="the reason for the confidence level")
    key: bool = False
    horizon: Text | None = Field(
        None, description="the time frame of a forward-looking judgment, e.g. 'through 2020'")
    indicators: list[Text] = Field(
        [], description="what would change our view, one line each")
    revisions: list[Revision] = Field(
        [], description="earlier states, oldest first; `date` is when the current one began")


class FactFile(Strict):
    """A fact file: any of the four lists."""

    sources: list[Source] = []
    themes: list[Theme] = []
    facts: list[Fact] = []
    judgments: list[Judgment] = []


KINDS = {"sources": Source, "themes": Theme, "facts": Fact, "judgments": Judgment}


def json_schema() -> str:
    """The JSON Schema of fact files (draft 2020-12), as text: editors complete and check
    fact files with it."""
    import json

    doc = FactFile.model_json_schema()
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$id": "https://briefgen.invalid/schema/facts.json",
           **doc, "title": "briefgen fact file"}
    doc["minProperties"] = 1
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
