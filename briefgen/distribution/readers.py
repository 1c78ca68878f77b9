"""Read and check the distribution list (readers.yaml), reporting every problem with its place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefgen.characters import escape, header_problem
from briefgen.distribution.headers import problem as name_problem
from briefgen.errors import BriefgenError, Diagnostic, DiagnosticsError, display_path
from briefgen.factbase.yamlpos import YamlDoc, load
from briefgen.suggest import did_you_mean

@dataclass(frozen=True)
class Reader:
    """A checked reader: `address` is what goes on the envelope and in the To header."""

    name: str
    address: str
    themes: tuple[str, ...] | None  # theme ids in fact-base order; None: every theme

    @property
    def key(self) -> str:
        """The reader's identity in the ledger: the address, case-folded."""
        return self.address.casefold()


class _Entry(BaseModel):
    """One `readers:` item as written in the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    email: str
    themes: list[str] | None = Field(default=None, min_length=1)

    @field_validator("name", mode="after")
    @classmethod
    def _name(cls, value: str) -> str:
        problem = name_problem(value, display_name=True)
        if problem:
            raise ValueError(problem)
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("email", mode="after")
    @classmethod
    def _email(cls, value: str) -> str:
        from email_validator import EmailNotValidError, validate_email

        problem = header_problem(value)
        if problem:
            raise ValueError(problem)
        try:
            # No SMTPUTF8: few servers take it, and the email package cannot write such an
            # address into a header. Non-ASCII domains are fine (sent as IDNA, xn--...).
            # strict: RFC 5321's limits too (a local part of at most 64 characters).
            result = validate_email(value.strip(), check_deliverability=False,
                                    allow_smtputf8=False, strict=True)
        except EmailNotValidError as e:
            raise ValueError(f"'{escape(value)}' is not a valid email address: {e}") from None
        return result.ascii_email


def load_readers(path: Path, themes: dict | list) -> list[Reader]:
    """Every reader of `path`, checked against the fact base's `themes` (ids in order).

    Raises DiagnosticsError listing every problem found, or BriefgenError when the file is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise BriefgenError(f"readers file '{display_path(path)}' not found (hint: create it "
                            "as `briefgen docs distribution` shows, or pass --readers FILE)")
    checker = _Checker(display_path(path), load(path), list(themes))
    readers = checker.run()
    if checker.diagnostics:
        raise DiagnosticsError(checker.diagnostics, what="readers file")
    return readers


class _Checker:
    def __init__(self, file: str, doc: YamlDoc, themes: list[str]):
        self.file, self.doc, self.themes = file, doc, themes
        self.diagnostics: list[Diagnostic] = []

    def report(self, pos, message: str, *, id: str | None = None, field: str | None = None,
               hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(self.file, pos[0], pos[1], "error", message,
                                           id=id, field=field, hint=hint))

    def run(self) -> list[Reader]:
        doc = self.doc
        for pos, message, hint in doc.problems:
            self.report(pos, message.replace("fact file", "readers file"), hint=hint)
        if doc.problems:
            return []
        data = doc.data
        if not isinstance(data, dict) or "readers" not in data:
            self.report(doc.pos(()), "a readers file must be a mapping with the key 'readers'",
                        hint="start the file with 'readers:'")
            return []
        for key in data:
            if key != "readers":
                self.report(doc.pos((key,), key=True), f"unknown top-level key '{key}'",
                            hint="the only top-level key is 'readers'")
        items = data["readers"]
        if not isinstance(items, list) or not items:
            self.report(doc.pos(("readers",)), "'readers' must be a list with at least one reader",
                        hint="add items like '- name: Jane Doe' with 'email: jane@example.org'")
            return []
        readers: list[Reader] = []
        seen: dict[str, tuple[int, int]] = {}
        for index, item in enumerate(items):
            reader = self.entry(index, item)
            if reader is None:
                continue
            where = doc.pos(("readers", index, "email"))
            if reader.key in seen:
                line, col = seen[reader.key]
                self.report(where, f"duplicate reader (also at {self.file}:{line}:{col})",
                            id=reader.address, field="email",
                            hint="list each address once; merge the themes into one entry")
                continue
            seen[reader.key] = where
            readers.append(reader)
        return readers

    def entry(self, index: int, item: object) -> Reader | None:
        path = ("readers", index)
        doc = self.doc
        if not isinstance(item, dict):
            self.report(doc.pos(path), "a reader must be a mapping with 'name' and 'email'",
                        hint="write '- name: Jane Doe' and, below it, 'email: jane@example.org'")
            return None
        label = next((escape(item[k]) for k in ("email", "name") if isinstance(item.get(k), str)),
                     None)
        errors = 0
        try:
            entry = _Entry.model_validate(item)
        except ValidationError as e:
            for err in e.errors(include_url=False):
                self.pydantic_error(path, label, err)
            return None
        chosen: list[str] = []
        for i, theme in enumerate(entry.themes or ()):
            if theme not in self.themes:
                errors += 1
                self.report(doc.pos(path + ("themes", i)), f"unknown theme '{escape(theme)}'",
                            id=label, field=f"themes[{i}]", hint=self.theme_hint(theme))
            chosen.append(theme)
        if errors:
            return None
        # A reader who lists themes keeps that list even when it names every theme today:
        # "every theme" would change meaning (and the edition) when a theme is added.
        themes = None
        if entry.themes is not None:
            themes = tuple(t for t in self.themes if t in chosen)  # fact-base order
        return Reader(entry.name, entry.email, themes)

    def theme_hint(self, theme: str) -> str:
        return did_you_mean(theme, self.themes, "themes: " + ", ".join(self.themes))

    def pydantic_error(self, path: tuple, label: str | None, err: dict) -> None:
        loc = tuple(err["loc"])
        kind = err["type"]
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
        hint = None
        if kind == "extra_forbidden":
            message = f"unknown key '{escape(loc[-1])}'"
            hint = did_you_mean(str(loc[-1]), _Entry.model_fields, "allowed: name, email, themes")
            pos, field = self.doc.pos(path + loc, key=True), None
        elif kind == "missing":
            message = f"required key '{loc[-1]}' is missing"
            pos, field = self.doc.pos(path), None
        else:
            pos = self.doc.pos(path + loc)
            if kind == "value_error":
                message = str(err["ctx"]["error"])
                if "encoded word" in message:
                    hint = "write the name itself, not an RFC 2047 encoded word (=?...?=)"
                elif "line break" in message:
                    hint = "write it on one line"
                elif "control character" in message:
                    hint = "remove the invisible character"
                elif "email" in message:
                    hint = "write the address as name@example.org"
            elif kind == "too_short" and loc == ("themes",):
                message = "must list at least one theme"
                hint = "remove 'themes' to follow every theme"
            elif kind == "string_too_short":
                message = "must not be empty"
            elif kind == "list_type" and loc == ("themes",):
                message = "must be a list of theme ids"
                hint = f"write it as [{escape(err.get('input'))}]" if isinstance(
                    err.get("input"), str) else "write it as [theme-a, theme-b]"
            else:
                message = err["msg"][0].lower() + err["msg"][1:]
                value = err.get("input")
                if value is not None and not isinstance(value, (dict, list)):
                    message += f", got {escape(repr(value))}"
        self.report(pos, message, id=label, field=field, hint=hint)
