"""Brief templates compiled in a forked worker while this process loads the fact base.

Compiling a template (lexing, parsing, generating its Python code) is the largest fixed cost
of a compose: ~0.02-0.04 s a template, paid on the critical path by `build`, `weekly` and
`check`. `start` hands it to a worker with time to spare (the Word or HTML writer's worker,
before its warm-up; for `check`, a worker of its own); `compose` takes the code it sent back
(`adopt`) before it compiles anything itself.

The code is the one this process would make: the same environment, set up alike, from the
same file (the source checksum is checked when the template is loaded, as for any compiled
template). Only the line stamps are numbered in the worker: its table is taken over when this
process's table is the start of it (nothing numbered here that the worker does not know),
else the code is dropped and compiled here. A template that fails to compile is left out:
this process compiles it and says where it is wrong, as always.
"""

from __future__ import annotations

import contextlib
import functools
import marshal
import time
from pathlib import Path

_PENDING: list = []  # futures of `_compile` jobs whose code is not taken over yet
WORKER_SECONDS = 2.0  # a worker's compiling time; a template takes ~0.02-0.04 s
MAIL = ("email.txt.j2", "email.html.j2")  # compiled as e-mail templates


def start(pool, templates: Path | None, names: tuple[str, ...]) -> None:
    """Have `pool`'s worker compile the templates `names` of the desk folder `templates`,
    unless this process has compiled templates already (`watch` after its first build)."""
    from briefgen.compose.jinja_parts import compiled

    if pool is not None and names and not compiled().code:
        _PENDING.append(pool.submit(_compile, templates, names))


@contextlib.contextmanager
def worker(templates: Path | None, names: tuple[str, ...]):
    """A worker of its own compiling `names` for the length of the block (`check`, whose
    other core is idle while it loads the fact base), on a machine with two cores or more."""
    from briefgen.compose.jinja_parts import compiled
    from briefgen.workers import can_fork, fork_pool

    if not names or compiled().code or not can_fork():
        yield
        return

    pool = fork_pool()
    try:
        start(pool, templates, names)
        yield
    finally:
        forget()
        pool.shutdown(wait=False, cancel_futures=True)


def forget() -> None:
    """Drop the jobs not taken over: this process compiles what it needs itself."""
    _PENDING.clear()


def adopt() -> None:
    """Take over the code of every compile job started, waiting for a job still at work (it
    runs at this process's priority, bounded by WORKER_SECONDS; the wait by twice that)."""
    from briefgen.compose.jinja_parts import compiled
    from briefgen.compose.templating import take_stamps

    while _PENDING:
        job = _PENDING.pop(0)
        try:
            # bounded: a worker that never answers (forked from a process whose other thread
            # held a lock it needs) costs a few seconds, never a hang
            stamps, code = job.result(timeout=2 * WORKER_SECONDS)
        except Exception:  # noqa: BLE001 - the worker is gone or late: this process compiles
            continue
        if take_stamps(stamps):
            for kind, key, checksum, data in code:
                compiled(kind).code.setdefault(key, (checksum, marshal.loads(data)))


def _compile(templates: Path | None, names: tuple[str, ...]) -> tuple[list, list]:
    """In the worker: its table of stamps and, per template compiled, (kind, cache key, source
    checksum, marshalled code); the e-mail templates (`MAIL`) in the environment of mails."""
    from briefgen.compose.jinja_parts import Watchdog, compiled
    from briefgen.compose.templating import _STAMPS

    kinds = ("brief", "mail")
    before = {kind: set(compiled(kind).code) for kind in kinds}
    # A template that takes long to compile (a hostile one) is left to the main process,
    # which compiles it under the bounds of every render and says what is wrong.
    deadline = time.monotonic() + WORKER_SECONDS
    with Watchdog(WORKER_SECONDS):
        for name in names:
            if time.monotonic() > deadline:
                break
            try:
                _environment(templates, name in MAIL).get_template(name)
            except Exception:  # noqa: BLE001, S112 - compiled and reported by the main process
                continue
    code = [(kind, key, checksum, marshal.dumps(c)) for kind in kinds
            for key, (checksum, c) in compiled(kind).code.items() if key not in before[kind]]
    return list(_STAMPS), code


@functools.cache
def _environment(templates: Path | None, mail: bool):
    """The environment a brief template (or an e-mail template) is compiled in."""
    if mail:
        from briefgen.distribution.email_templates import EmailTemplates
        return EmailTemplates(templates or Path(".")).env
    from briefgen.compose.templating import TemplateRenderer
    return TemplateRenderer(templates).env
