"""Desk settings: the optional `briefgen.toml` next to facts/, checked with located errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from briefgen.desk import SETTINGS_FILE
from briefgen.errors import Diagnostic, display_path
from briefgen.factbase.models import LANGUAGE_PATTERN
from briefgen.suggest import did_you_mean

FILE_NAME = SETTINGS_FILE
ACCENT_PATTERN = r"^#[0-9A-Fa-f]{6}$"
# What an image file starts with: the writers embed PNG and JPEG only.
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}
MAX_LOGO_BYTES = 10 * 1024 * 1024  # a logo is tens of kilobytes
MAX_LOGO_PIXELS = 25_000_000  # 5,000 x 5,000; a logo prints a few centimetres wide
LOGO_HINT = "a PNG or JPEG file, relative to briefgen.toml"
SMALLER = "save it smaller: a logo prints a few centimetres wide"


class DeskTable(BaseModel):
    """The `[desk]` table. The defaults give today's plain house style (no marking, no logo)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""  # shown on the cover and as the running head
    organisation: str = ""
    region: str = ""  # templates word titles with it ("<region> weekly brief")
    classification: str = ""  # printed at the top and bottom of every page; "" = none
    logo: str | None = None  # relative to briefgen.toml
    logo_alt: str = ""  # what the logo shows, said to readers who cannot see it
    logo_decorative: bool = False  # the logo says nothing: screen readers skip it
    accent: Annotated[str, StringConstraints(pattern=ACCENT_PATTERN)] = "#1b365d"
    page_size: Literal["A4", "Letter"] = "A4"
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)] = "en"
    yardstick: Literal["icd203", "phia"] = "icd203"  # the likelihood terms judgments use


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    desk: DeskTable = DeskTable()


HINTS = {
    "accent": "write a colour as '#rrggbb', e.g. '#1f3a5f'",
    "page_size": "write 'A4' or 'Letter'",
    "language": "a BCP 47 tag such as 'en' or 'fr'",
    "logo_decorative": "write true or false",
    "yardstick": "write 'icd203' (US ICD 203) or 'phia' (UK PHIA probability yardstick)",
}


@dataclass(frozen=True)
class Settings:
    """The desk's settings, checked, with the logo's bytes read once."""

    desk: DeskTable = DeskTable()
    path: Path | None = None  # None when the desk has no briefgen.toml
    logo: bytes | None = None


def settings_path(facts_dir: Path) -> Path:
    """Where a desk keeps its settings: in the desk folder (see briefgen.desk)."""
    from briefgen.desk import root_of

    return root_of(facts_dir) / FILE_NAME


def read_settings(path: Path) -> tuple[Settings, list[Diagnostic]]:
    """The settings of the file `path` (defaults where it is wrong, or when there is no such
    file) and every problem found in it."""
    path = Path(path)
    if not path.is_file():
        return Settings(), []
    try:
        settings = _read(path)
    except _Problems as e:
        return Settings(), e.problems
    return settings, _readability(settings, path)


MIN_CONTRAST = 4.5  # WCAG 2.2 AA, for text: headings and links are set in the accent
PAPER = ("#ffffff", "#f2f4f7")  # the page, and the shade of a judgment's box


def _readability(settings: Settings, path: Path) -> list[Diagnostic]:
    """A warning when the desk's accent, the colour of headings and links, is too light to
    read on the page (contrast below 4.5:1, WCAG 2.2 AA)."""
    accent = settings.desk.accent
    worst = min(contrast(accent, paper) for paper in PAPER)
    if worst >= MIN_CONTRAST:
        return []
    line, col = TomlPlaces(path.read_text(encoding="utf-8")).value(("desk", "accent"))
    return [Diagnostic(display_path(path), line, col, "warning",
                       f"accent '{accent}' has a contrast of {worst:.1f}:1 with the page; text "
                       f"needs {MIN_CONTRAST}:1 to be read by everyone", field="desk.accent",
                       hint="choose a darker colour, e.g. '#1f3a5f'")]


def contrast(colour: str, background: str) -> float:
    """The WCAG contrast ratio of two '#rrggbb' colours (1 to 21)."""
    def luminance(hex_: str) -> float:
        channels = [int(hex_[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                   for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class _Problems(Exception):
    def __init__(self, problems: list[Diagnostic]):
        self.problems = problems


def toml_module():
    """tomllib (Python 3.11+), or tomli, the same parser, on Python 3.10."""
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def _read(path: Path) -> Settings:
    tomllib = toml_module()

    shown = display_path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as e:
        raise _fail([Diagnostic(shown, 1, 1, "error", f"not UTF-8 text ({e.reason} at byte "
                                f"{e.start})", hint="save it as UTF-8")]) from None
    except tomllib.TOMLDecodeError as e:
        line, col, message = toml_position(str(e))
        raise _fail([Diagnostic(shown, line, col, "error", f"not valid TOML: {message}",
                                hint="see the example in `briefgen docs settings`")]) from None
    places = TomlPlaces(text)
    problems, desk = refused_characters(shown, places, data, text, FILE_NAME), None
    try:
        desk = _File.model_validate(data).desk
    except ValidationError as e:
        problems += [_diagnostic(shown, places, err, data) for err in e.errors()]
    # The logo is checked even when other keys are wrong: every problem in one run.
    name = data.get("desk", {}).get("logo") if isinstance(data.get("desk"), dict) else None
    logo = None
    if isinstance(name, str):
        logo, problem = _read_logo(path.parent, name)
        if problem:
            line, col = places.value(("desk", "logo"))
            problems.append(Diagnostic(shown, line, col, "error", problem[0], field="desk.logo",
                                       hint=problem[1]))
    if problems:
        raise _fail(problems)
    return Settings(desk=desk, path=path, logo=logo)


def refused_characters(shown: str, places: TomlPlaces, data: dict, text: str,
                       where: str) -> list[Diagnostic]:
    """An error at each text value of a TOML file that holds a character briefgen.characters
    refuses (the first of each value): briefs and mail print these values as they are."""
    from briefgen.characters import find_refused, refusal, texts_in

    found = []
    for loc, value in texts_in(data, indexed=False):  # a TOML list is one value
        m = next(find_refused(value), None)
        if m is not None:
            ch, (line, col) = m.group(), places.value(loc)
            row = text.split("\n")[line - 1] if line <= text.count("\n") + 1 else ""
            col = row.index(ch, col - 1) + 1 if ch in row[col - 1:] else col  # as it stands
            message, hint = refusal(ch, escaped=ch not in text, where=where)
            found.append(Diagnostic(shown, line, col, "error", message,
                                    field=".".join(map(str, loc)), hint=hint))
    return found


def _fail(problems: list[Diagnostic]) -> _Problems:
    return _Problems(problems)


def _read_logo(folder: Path, name: str) -> tuple[bytes | None, tuple[str, str] | None]:
    """The logo's bytes, decoded once to be sure the writers can draw it; or what is wrong.

    It is a desk file like an archived text (`desk.desk_file`: inside the desk folder, a
    regular file), of a size and a pixel count a logo has, and a whole PNG or JPEG image.
    """
    from briefgen.desk import desk_file

    target, found = desk_file(folder.resolve(), name, "the desk folder", "art/logo.png")
    if target is None:
        return None, (f"logo '{name}' {found[0]}", found[1])
    if found > MAX_LOGO_BYTES:
        return None, (f"logo '{name}' is {found:,} bytes, larger than the {MAX_LOGO_BYTES:,} a "
                      "logo may have", SMALLER)
    data = target.read_bytes()
    kind = next((k for magic, k in IMAGE_MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        return None, (f"logo '{name}' is not a PNG or JPEG image", LOGO_HINT)
    problem = _undecodable(data, kind)
    return (None, (f"logo '{name}' {problem[0]}", problem[1])) if problem else (data, None)


def _undecodable(data: bytes, kind: str) -> tuple[str, str] | None:
    """What keeps the writers from drawing an image that starts like a PNG or a JPEG: no
    pixels, too many (refused before they are decoded), or a broken or cut-off body."""
    import io
    import struct
    import warnings

    from PIL import Image, UnidentifiedImageError

    fix = f"save it again as a {kind.upper()} from an image editor"
    if kind == "jpeg" and data[6:10] not in (b"JFIF", b"Exif"):  # python-docx reads no other
        return "is a JPEG without a JFIF or Exif header, which Word files cannot embed", fix
    if kind == "png" and data[12:16] == b"IHDR":  # the size, as the file says it
        size = struct.unpack(">II", data[16:24])
        if problem := _pixels(*size):
            return problem, (fix if 0 in size else SMALLER)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[kind.upper()]) as image:
                if problem := _pixels(*image.size):
                    return problem, (fix if 0 in image.size else SMALLER)
                image.load()  # every pixel, as the PDF writer will
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            return f"has more than {MAX_LOGO_PIXELS:,} pixels, more than a logo may have", SMALLER
        except UnidentifiedImageError:
            return f"is not a whole {kind.upper()} image: its header is damaged", fix
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            if "truncated" in str(e).lower() or isinstance(e, EOFError):
                return "is cut short: the file ends before the image does", fix
            return "is damaged: its image data cannot be decoded", fix
    return None


def _pixels(width: int, height: int) -> str | None:
    if width < 1 or height < 1:
        return f"is an image of {width} × {height} pixels"
    if width * height > MAX_LOGO_PIXELS:
        return (f"is {width:,} × {height:,} pixels, more than the {MAX_LOGO_PIXELS:,} a logo "
                "may have")
    return None


def _diagnostic(shown: str, places: TomlPlaces, err: dict, data: dict) -> Diagnostic:
    loc = tuple(str(p) for p in err["loc"])
    dotted = ".".join(loc)
    if err["type"] == "extra_forbidden":
        line, col = places.key(loc)
        allowed = list(DeskTable.model_fields) if len(loc) == 2 else ["desk"]
        what = "key" if len(loc) == 2 else "table"
        return Diagnostic(shown, line, col, "error", f"unknown {what} '{dotted}'",
                          hint=did_you_mean(loc[-1], allowed, "allowed: " + ", ".join(allowed)))
    line, col = places.value(loc)
    value = data
    for part in loc:
        value = value.get(part) if isinstance(value, dict) else None
    name = loc[-1]
    if err["type"] in ("string_type", "literal_error", "string_pattern_mismatch", "model_type",
                       "dict_type"):
        shown_value = f"'{value}'" if isinstance(value, str) else repr(value)
        message = f"{shown_value} is not a valid {name.replace('_', ' ')}"
        if err["type"] in ("model_type", "dict_type"):
            message = f"'{name}' must be a table ([{name}])"
    else:
        message = err["msg"][0].lower() + err["msg"][1:]
    return Diagnostic(shown, line, col, "error", message, field=dotted,
                      hint=HINTS.get(name, "write it as text in double quotes"
                                     if err["type"] == "string_type" else None))


def toml_position(message: str) -> tuple[int, int, str]:
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if m:
        return int(m.group(1)), int(m.group(2)), message[: m.start()]
    m = re.search(r"\s*\(at end of document\)$", message)
    return 1, 1, message[: m.start()] if m else message


class TomlPlaces:
    """Line and column of each `[table]` and `key = value` of a simple TOML file.

    tomllib reports no positions; desk settings are a flat table or two, so a scan of the lines
    finds every key a diagnostic can name.
    """

    _HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
    _KEY = re.compile(r"^(\s*)([A-Za-z0-9_-]+|\"[^\"]*\")\s*=\s*")

    def __init__(self, text: str):
        self.keys: dict[tuple, tuple[int, int]] = {}
        self.values: dict[tuple, tuple[int, int]] = {}
        table: tuple = ()
        for number, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header:
                table = tuple(header.group(1).split("."))
                self.keys.setdefault(table, (number, line.index("[") + 1))
                self.values.setdefault(table, self.keys[table])
                continue
            key = self._KEY.match(line)
            if key:
                loc = table + (key.group(2).strip('"'),)
                self.keys.setdefault(loc, (number, len(key.group(1)) + 1))
                self.values.setdefault(loc, (number, key.end() + 1))

    def key(self, loc: tuple) -> tuple[int, int]:
        return self.keys.get(loc) or self.keys.get(loc[:1]) or (1, 1)

    def value(self, loc: tuple) -> tuple[int, int]:
        return self.values.get(loc) or self.keys.get(loc[:1]) or (1, 1)
