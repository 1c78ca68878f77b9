"""The `briefgen` command line: a thin layer over briefgen.api, one function per command."""

from __future__ import annotations

import argparse
import gc
import inspect
import sys
from pathlib import Path

from briefgen import __version__
from briefgen.desk import FORMATS  # what --format accepts
from briefgen.errors import BriefgenError

DEFAULT_FORMATS = ("docx", "pdf")  # what build, weekly and watch write without it
FACTS_HELP = ("the fact base folder (default: facts/ in the desk folder: the nearest folder, "
              "from here up, with a briefgen.toml or a facts/ folder)")


def check(facts: Path, templates: Path | None, readers: Path | None, strict: bool) -> None:
    """Check the fact base, the templates and the readers; print errors and warnings
    (--strict: fail on them)."""
    from briefgen import api
    base = api.check(facts=facts, strict=strict, readers=readers, templates=templates)
    for diagnostic in sorted(base.diagnostics):
        print(diagnostic, file=sys.stderr)
    print(base.summary(), file=sys.stderr)


def build(facts: Path | None, templates: Path | None, theme: list[str], format: tuple, out: Path,
          annotated: bool, strict: bool, cutoff=None) -> None:
    """Build one brief per theme (default: every theme), as Word and PDF by default."""
    from briefgen import api
    _print_paths(api.build(facts=facts, templates=templates, theme=_ids(theme), format=format,
                           out=out, annotated=annotated, strict=strict, warn=_print_lines,
                           cutoff=cutoff))


def weekly(facts: Path | None, templates: Path | None, week: str | None, format: tuple, out: Path,
           annotated: bool, strict: bool, from_=None, to=None, cutoff=None) -> None:
    """Build the weekly brief: every theme's developments dated in that ISO week."""
    from briefgen import api
    _print_paths(api.weekly(facts=facts, templates=templates, week=week, format=format, out=out,
                            annotated=annotated, strict=strict, warn=_print_lines, from_=from_,
                            to=to, cutoff=cutoff))


def send(facts: Path | None, templates: Path | None, week: str, readers: Path | None,
         dry_run: bool, out: Path | None, format: tuple, resend_changed: bool,
         retry_unknown: bool, status: bool, strict: bool, allow_empty: bool) -> None:
    """Email each reader the weekly brief for the themes they follow, exactly once."""
    from briefgen import api
    if status:  # the former `send --status`, kept as an alias of `briefgen ledger --week`
        return ledger(out=out, week=week, reader=None, json=False, facts=facts)
    with _Progress() as progress:
        report = api.send(facts=facts, templates=templates, week=week, readers=readers,
                          dry_run=dry_run, out=out, format=format, resend_changed=resend_changed,
                          retry_unknown=retry_unknown, strict=strict, allow_empty=allow_empty,
                          warn=_print_lines, progress=progress)
    _print_paths(report.paths)
    report.raise_for_problems()
    print(report.line(), file=sys.stderr)


def ledger(out: Path | None, week: str | None, reader: str | None, json: bool,
           facts: Path | None = None, save: Path | None = None, verify: bool = False) -> None:
    """Show what was sent to whom: one line per message, from the send ledger; save what a
    reader received, or verify the archive of sent files."""
    from briefgen import api
    from briefgen.distribution import ledger_view
    from briefgen.errors import UsageError, display_path
    if verify:
        if save or json:
            raise UsageError("--verify checks the whole archive: give it alone")
        n = api.ledger_verify(facts=facts, out=out)
        print(f"checked {n} archived file{'s' * (n != 1)}: each as it was sent", file=sys.stderr)
        return
    if save is not None:
        if not reader:
            raise UsageError("--save needs --reader EMAIL: whose copies to save")
        paths = api.ledger_save(facts=facts, out=out, week=week, reader=reader, save=save)
        _print_paths(paths)
        when = f" in {week}" if week else ""
        print(f"saved {len(paths)} file{'s' * (len(paths) != 1)} that {reader} received{when}"
              if paths else f"nothing that {reader} received{when} is archived",
              file=sys.stderr)
        return
    rows, path = api.ledger(facts=facts, out=out, week=week, reader=reader)
    if json:
        sys.stdout.write(ledger_view.as_json(rows))
    elif not rows and not path.exists():
        print(f"nothing sent yet from this desk ({display_path(path)} is made by the first send "
              "that is not a dry run)", file=sys.stderr)
    elif not rows:
        what = " for " + " and ".join(x for x in (week, reader) if x) if week or reader else ""
        print(f"nothing recorded{what} in {display_path(path)}", file=sys.stderr)
    else:
        sys.stdout.write(ledger_view.table(rows))
        print(ledger_view.counts(rows), file=sys.stderr)


def impact(facts: Path | None, id: str, out: Path | None, json: bool) -> None:
    """List everything resting on a source, fact or judgment, down to the readers who got it."""
    from briefgen import api
    from briefgen.provenance.impact import lines
    result = api.impact(facts=facts, id=id, out=out)
    if json:
        import json as json_module
        sys.stdout.write(json_module.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        print("\n".join(lines(result)))


class _Progress:
    """A progress bar on stderr while sending to several readers, when stderr is a terminal."""

    def __init__(self):
        self.bar = self.task = None

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < 2 or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
            self.bar = Progress("[progress.description]{task.description}", BarColumn(),
                                MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("sending", total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def quote(facts: Path | None, source: str | None, words: str, any: bool) -> None:
    """Find the exact passages of a source that match words you remember, as YAML to paste."""
    from briefgen import api
    sys.stdout.write(api.quote(facts=facts, words=words, source=source, any=any))


def list_(facts: Path | None, what: str, theme: list[str], week: str | None, json: bool,
          format: str) -> None:
    """List the themes, sources or facts the fact base holds, as a table or as JSON."""
    from briefgen import api
    format = "json" if json and format == "table" else format
    rows = api.list_items(facts=facts, what=what, theme=_ids(theme), week=week,
                          warn=_print_lines, format=format)
    if format in ("json", "csl-json"):
        import json as json_
        print(json_.dumps(rows, ensure_ascii=False, indent=1))
    else:
        from briefgen.curate.listing import table
        table(rows, what, sys.stdout)


list_.__name__ = "list"  # the command's name; `list` itself stays Python's list here


def source_add(facts: Path | None, source: str, id: str | None, url: str | None, title: str | None,
               publisher: str | None, published: str | None, reliability: str | None,
               language: str | None, into: Path | None, author: str | None) -> None:
    """Archive an article (saved .html page, .pdf, .txt or an http(s) URL) and add its entry."""
    from briefgen import api
    print(api.source_add(facts=facts, source=source, id=id, url=url, title=title,
                         publisher=publisher, published=published, reliability=reliability,
                         language=language, into=into, warn=_print_lines, author=author))


def source_rename(facts: Path | None, old: str, new: str) -> None:
    """Rename a source: its entry, every citation of it, and its archived files."""
    from briefgen import api
    _print_paths(api.source_rename(facts=facts, old=old, new=new))


def source_remove(facts: Path | None, id: str) -> None:
    """Remove a source that no fact cites, with its archived files."""
    from briefgen import api
    _print_paths(api.source_remove(facts=facts, id=id))


def source_import(facts: Path | None, export: Path, into: Path | None) -> None:
    """Add the references of a Zotero export (CSL JSON, RIS or BibTeX) with their saved copies."""
    from briefgen import api
    for sid in api.source_import(facts=facts, export=export, into=into, warn=_print_lines):
        print(sid)


def watch(facts: Path | None, templates: Path | None, theme: list[str], week: str | None,
          out: Path | None, format: tuple, serve: bool, port: int | None) -> None:
    """Build the chosen briefs, then rebuild them on every save under facts/ or templates/
    (--serve: show them in the browser, reloaded on every rebuild)."""
    from briefgen import api

    def report(kind: str, lines: list) -> None:
        for line in lines:
            print(line, file=sys.stdout if kind == "paths" else sys.stderr, flush=True)

    if format is None:  # a preview in the browser needs only the page; else Word and PDF
        format = ("html",) if serve else DEFAULT_FORMATS
    try:  # a watch ends only by Ctrl-C: that is its normal end, exit code 0
        api.watch(facts=facts, templates=templates, theme=_ids(theme), week=week, out=out,
                  format=format, report=report, serve=serve, port=port)
    except KeyboardInterrupt:
        print("stopped watching", file=sys.stderr)


def _print_lines(lines) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def schema() -> None:
    """Print the JSON Schema of fact files, for editors' YAML plugins."""
    from briefgen import api
    sys.stdout.write(api.schema())


def docs(page: str | None) -> None:
    """Print a page of the user documentation (Markdown); without PAGE, the index."""
    from briefgen import api
    sys.stdout.write(api.docs(page))


def init(dir: Path, region: str | None, force: bool) -> None:
    """Write a new desk folder (fact base, readers, settings) that checks and builds right away."""
    import shlex

    from briefgen import api
    _print_paths(api.init(dir=dir, region=region, force=force))
    go = "" if dir == Path(".") else f"cd {shlex.quote(str(dir))} && "
    print(f"new desk ready; next: {go}briefgen check && briefgen build", file=sys.stderr)


def _print_paths(paths) -> None:
    for path in paths or ():
        print(path)


def _formats(text: str) -> tuple:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        from briefgen.characters import escape
        raise argparse.ArgumentTypeError(f"unknown format '{escape(','.join(bad) or text)}' "
                                         f"(choose from {', '.join(FORMATS)})")
    return chosen


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        from briefgen.characters import escape
        raise argparse.ArgumentTypeError(f"not a port number: '{escape(text)}' (0-65535)")
    return int(text)


def _week(text: str) -> str:
    """An ISO week `YYYY-Www`, or a date `YYYY-MM-DD` meaning its week."""
    from briefgen.compose.specs import week_id
    return _argument(week_id, text)


def _date(text: str):
    from briefgen.compose.specs import day_of
    return _argument(day_of, text)


def _argument(parse, text: str):
    """`parse(text)`, its usage error said the way argparse says a bad value."""
    try:
        return parse(text)
    except BriefgenError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _ids(groups: list[str] | None) -> list[str]:
    """`--theme a,b --theme c` -> ['a', 'b', 'c']."""
    return [i.strip() for group in groups or () for i in group.split(",") if i.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefgen", description=__doc__.split(":")[0] + ".")
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    facts_only = argparse.ArgumentParser(add_help=False)  # commands that read no template
    facts_only.add_argument("--facts", type=Path, metavar="DIR", help=FACTS_HELP)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--facts", type=Path, metavar="DIR", help=FACTS_HELP)
    common.add_argument("--templates", type=Path, metavar="DIR",
                        help="the desk's templates, overriding the packaged ones file by file "
                             "(default: templates/ next to the fact base)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(func, *parents, desk_options=True):
        doc = inspect.getdoc(func)
        p = sub.add_parser(func.__name__, help=doc, description=doc,
                           parents=[common, *parents] if desk_options else list(parents))
        p.set_defaults(func=func, parser=p)  # parser: says a stray argument under its own usage
        return p

    def outputs(default=DEFAULT_FORMATS):  # a new parent each time: argparse shares actions
        parent = argparse.ArgumentParser(add_help=False)
        parent.add_argument("--format", type=_formats, default=default, metavar="docx,pdf,html",
                            help=f"output formats, comma-separated (default: {','.join(default)})")
        parent.add_argument("--out", type=Path, metavar="DIR",
                            help="output folder (default: out/ in the desk folder)")
        return parent

    def edition():
        parent = argparse.ArgumentParser(add_help=False)
        parent.add_argument("--annotated", action="store_true",
                            help="the desk's review edition: adds fact ids, archived file names "
                                 "and SHA-256 prefixes")
        parent.add_argument("--cutoff", type=_date, metavar="DATE",
                            help="the information cut-off: only what was known by this day, "
                                 "printed beside the date of issue (default: the date of the "
                                 "latest fact used)")
        return parent

    def strict():
        parent = argparse.ArgumentParser(add_help=False)
        parent.add_argument("--strict", action="store_true",
                            help="warnings about the fact base fail the command too")
        return parent

    p = command(check)
    p.add_argument("--readers", type=Path, metavar="FILE",
                   help="the distribution list to check too (default: readers.yaml next to "
                        "the fact base, if there is one)")
    p.add_argument("--strict", action="store_true", help="warnings fail the check too")
    p = command(build, outputs(), edition(), strict())
    p.add_argument("--theme", action="append", default=[], metavar="ID",
                   help="a theme id; repeat or separate with commas for several "
                        "(default: every theme)")
    p = command(weekly, outputs(), edition(), strict())
    p.add_argument("--week", type=_week, metavar="YYYY-Www",
                   help="the ISO week, or a date in it (default: the current week)")
    p.add_argument("--from", dest="from_", type=_date, metavar="DATE",
                   help="with --to: a period other than an ISO week, from this day")
    p.add_argument("--to", type=_date, metavar="DATE", help="with --from: to this day")
    p = command(send, outputs(("pdf",)), strict())
    p.add_argument("--week", type=_week, required=True, metavar="YYYY-Www",
                   help="the ISO week, or a date in it")
    p.add_argument("--readers", type=Path, metavar="FILE",
                   help="the distribution list (default: readers.yaml next to the fact base)")
    p.add_argument("--dry-run", action="store_true",
                   help="write each message as .eml under out/outbox/ and send nothing")
    p.add_argument("--resend-changed", action="store_true",
                   help="send readers a corrected edition when the brief changed since they got it")
    p.add_argument("--retry-unknown", action="store_true",
                   help="resend messages whose delivery is unknown, with the same Message-ID")
    p.add_argument("--allow-empty", action="store_true",
                   help="send even if no development is dated in the week")
    p.add_argument("--status", action="store_true",
                   help="print the ledger for the week and exit (same as: briefgen ledger --week)")
    p = command(ledger, facts_only, desk_options=False)
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="the folder that holds the ledger (default: out/ in the desk folder)")
    p.add_argument("--week", type=_week, metavar="YYYY-Www", help="only this ISO week")
    p.add_argument("--reader", metavar="EMAIL", help="only this reader's messages")
    p.add_argument("--json", action="store_true", help="one JSON array of every message")
    p.add_argument("--save", type=Path, metavar="DIR",
                   help="with --reader: write the files that reader received (of --week), "
                        "exactly as sent, into DIR")
    p.add_argument("--verify", action="store_true",
                   help="check every archived file against the ledger (exit 1 naming any "
                        "missing or altered)")
    p = command(impact, facts_only, desk_options=False)
    p.add_argument("id", metavar="ID", help="a source, fact or judgment id")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="the folder that holds the send ledger (default: out/ beside the fact "
                        "base)")
    p.add_argument("--json", action="store_true", help="the result as one JSON object")
    command(schema, desk_options=False)
    p = command(init, desk_options=False)
    p.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                   help="the new desk's folder (default: the current folder)")
    p.add_argument("--region", metavar="NAME",
                   help="the region the example facts are about (default: Northland, fictional)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    doc = ("Manage archived sources: add (archive an article and add its entry), rename, "
           "remove, import (a Zotero export).")
    group = sub.add_parser("source", help=doc, description=doc)
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    doc = inspect.getdoc(source_add)
    p = actions.add_parser("add", help=doc, description=doc, parents=[facts_only])
    p.set_defaults(func=source_add, parser=p)
    p.add_argument("source", metavar="PATH|URL", help="a saved .html/.htm page, a .pdf, a .txt, "
                   "or an http(s) URL to fetch")
    p.add_argument("--id", help="the new source's id (default: from its title and date)")
    p.add_argument("--url", help="where the article was published online")
    p.add_argument("--title", help="the article's title, if the capture does not state it")
    p.add_argument("--publisher", help="who published it, if the capture does not state it")
    p.add_argument("--published", metavar="DATE", help="YYYY-MM-DD, YYYY-MM or YYYY")
    p.add_argument("--reliability", metavar="A-F", help="source reliability (Admiralty scale)")
    p.add_argument("--language", metavar="CODE", help="the article's language, e.g. ar")
    p.add_argument("--author", help="who wrote it, if the capture does not state it")
    p.add_argument("--into", type=Path, metavar="FILE",
                   help="the fact file to add the entry to (default: facts/sources.yaml)")
    for func, name in ((source_rename, "rename"), (source_remove, "remove"),
                       (source_import, "import")):
        doc = inspect.getdoc(func)
        p = actions.add_parser(name, help=doc, description=doc, parents=[facts_only])
        p.set_defaults(func=func, parser=p)
        if func is source_rename:
            p.add_argument("old", metavar="OLD", help="the source's id now")
            p.add_argument("new", metavar="NEW", help="its new id")
        elif func is source_remove:
            p.add_argument("id", metavar="ID", help="the source to remove")
        else:
            p.add_argument("export", type=Path, metavar="FILE",
                           help="a Zotero export: .json (CSL JSON), .ris or .bib")
            p.add_argument("--into", type=Path, metavar="FILE",
                           help="the fact file to add the entries to (default: "
                                "facts/sources.yaml)")
    p = command(watch, outputs())
    p.add_argument("--theme", action="append", default=[], metavar="ID",
                   help="a theme brief to keep built; repeat or separate with commas "
                        "(default: every theme, unless --week)")
    p.add_argument("--week", type=_week, metavar="YYYY-Www",
                   help="also keep this week's weekly brief built")
    p.add_argument("--serve", action="store_true",
                   help="write the HTML briefs (only them, unless --format names others) and "
                        "serve them on 127.0.0.1: an open page reloads after each rebuild and "
                        "shows a failed save's errors")
    p.set_defaults(format=None)  # docx,pdf; html with --serve
    p.add_argument("--port", type=_port, metavar="N",
                   help="the port --serve uses (default: 8000; 0: any free port)")
    p = command(list_, facts_only, desk_options=False)
    p.add_argument("what", choices=("themes", "sources", "facts"), help="what to list",
                   metavar="themes|sources|facts")  # not 'what', argparse's own name
    p.add_argument("--theme", action="append", default=[], metavar="ID",
                   help="only what belongs to this theme; repeat or separate with commas")
    p.add_argument("--week", type=_week, metavar="YYYY-Www",
                   help="only facts dated in this ISO week (or the week of a date)")
    p.add_argument("--json", action="store_true", help="one JSON array on stdout")
    p.add_argument("--format", choices=("table", "json", "csl-json"), default="table",
                   help="table (default), json (same as --json), or csl-json: the sources as "
                        "CSL JSON, which Zotero imports")
    p = command(quote, facts_only, desk_options=False)
    p.add_argument("source", nargs="?", metavar="SOURCE_ID", help="the source to search")
    p.add_argument("words", metavar="WORDS", help="the passage as you remember it (quoted)")
    p.add_argument("--any", action="store_true", help="search every source")
    p = command(docs, desk_options=False)
    p.add_argument("page", nargs="?", metavar="PAGE",
                   help="facts, templates, commands, settings, ... (default: the index)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    if not (sys.argv[1:] if argv is None else argv):  # bare `briefgen`: the commands there are
        parser.print_help(sys.stderr)
        return 2
    args, extra = parser.parse_known_args(argv)
    if extra:  # under the command's usage, not the top level's ("briefgen build --nosuch")
        getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
    func = args.func
    kwargs = {name: getattr(args, name) for name in inspect.signature(func).parameters}
    try:
        func(**kwargs)
        return 0
    except BriefgenError as e:
        from briefgen.characters import escape
        for line in e.lines():
            print(escape(line), file=sys.stderr)  # a line may quote a file or a server: one line
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)  # builds write nothing; send reports its progress
        return 130
    except Exception:  # a bug, not a user error: say so, with the details a report needs
        import traceback
        traceback.print_exc()
        print(f"briefgen {__version__}: internal error (a bug, not a problem with your input); "
              "please report it with the traceback above", file=sys.stderr)
        return 3


def console() -> None:
    """The `briefgen` console script (and `python -m briefgen`): `main` in a process of its own.

    Only here is the interpreter tuned, since the process ends when the command does: a
    one-shot command builds large acyclic structures (YAML, models, the brief) that the cycle
    collector would walk again and again for nothing (the forked writers inherit this), and
    the objects still alive at exit are frozen so that the final collection skips them.
    `watch` runs for hours and keeps its collector.
    """
    one_shot = sys.argv[1:2] != ["watch"]
    if one_shot:
        gc.disable()
    code = main()
    if one_shot:
        gc.freeze()
    raise SystemExit(code)


__all__ = ["console", "main"]
