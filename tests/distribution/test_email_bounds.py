"""The e-mail templates run in the brief templates' sandbox, with its bounds, and `check`
renders them as `send` would (issue 28, item 6: `send` hung; `Subject: {{ title }` passed)."""

from __future__ import annotations

import threading
import time

import pytest

from briefgen import resources
from briefgen.compose import jinja_parts
from briefgen.distribution.email_templates import EmailTemplates
from briefgen.distribution.message import Summary
from briefgen.distribution.message import context as message_context
from briefgen.errors import BuildError

from .conftest import WEEK, reader_lines

BOUNDS = "(hint: a brief needs far less; loop over facts and themes, not over numbers)"


def edit(project, name: str, old: str, new: str) -> int:
    """Change the desk's e-mail template; the line the change is on."""
    path = project.root / "templates" / name
    text = (resources.TEMPLATES / name).read_text(encoding="utf-8")  # the desk's own copy
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


@pytest.mark.parametrize("name, old, new, message", [
    ("email.txt.j2", "{% endif %}{{ title }}", "{% endif %}{{ title }", "unexpected '}'"),
    ("email.txt.j2", "{% if marking %}[{{ marking }}] {% endif %}",
     "{% if marking %}[{{ marking }}] ",  # line 15; Jinja said the file's last line
     "'{% if %}' is never closed (hint: add '{% endif %}' where its block ends; Jinja reached "
     "the end of the file looking for it)"),
    ("email.html.j2", "{{ heading }}</h1>", "{{ heading.nope }}</h1>",
     "'markupsafe.Markup object' has no attribute 'nope'"),
    ("email.txt.j2", "{% endif %}{{ title }}", "{% endif %}{{ title.ljust(1500000000) }}",
     f"ljust() would make a value of 1,500,000,000 characters; at most 10,000,000 are allowed "
     f"{BOUNDS}"),
    ("email.txt.j2", "{% endif %}{{ title }}", "{% endif %}{{ '%1500000000s' % title }}",
     f"'%' asks for a field of 1,500,000,000 characters; at most 10,000,000 are allowed "
     f"{BOUNDS}"),
])
def test_check_renders_the_email_templates_and_send_stops_there_too(cli, project, smtp, name,
                                                                    old, new, message):
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org")))
    line = edit(project, name, old, new)
    code, out, err = cli("check")
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"templates/{name}:{line}: error: {message}",
                                "error: template has 1 error, 0 warnings"]
    server = smtp()
    for command in (["send", "--week", WEEK, "--dry-run"], ["send", "--week", WEEK]):
        code, out, err = cli(*command)
        assert (code, out) == (1, ""), command
        assert err.splitlines()[-1] == f"error: templates/{name}:{line}: template error: " \
                                       f"{message}", command
    assert server.received == []


def test_an_email_template_that_runs_too_long_stops_in_any_thread(project, monkeypatch):
    """`send` words corrections in the thread that builds messages ahead: the watchdog stops a
    template there as in the main thread."""
    monkeypatch.setattr(jinja_parts, "BUDGET_SECONDS", 0.5)
    line = edit(project, "email.txt.j2", "{% endif %}{{ title }}",
                "{% endif %}{% for a in [1] * 5000 %}{% for b in [1] * 5000 %}{% endfor %}"
                "{% endfor %}{{ title }}")
    templates = EmailTemplates(project.root / "templates")
    summary = Summary("T", WEEK, "p", (), (), (), (), ())
    context = message_context(summary, "e", "b", {})
    failures: list[str] = []

    def render():
        try:
            templates.render(context)
        except BuildError as e:
            failures.append(str(e))

    started = time.monotonic()
    worker = threading.Thread(target=render)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive() and time.monotonic() - started < 10
    assert failures == [f"templates/email.txt.j2:{line}: template error: the template ran for "
                        "more than 0.5 s; stopped here (hint: a loop inside a loop over many "
                        "items? a brief needs far less)"]
