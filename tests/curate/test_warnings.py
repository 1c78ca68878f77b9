"""`build`, `weekly` and `send` show the fact base's warnings; an empty week is refused by send."""

import shutil

from briefgen import resources
from conftest import tiny_factbase, write

UNCITED = """
    sources:
      - id: spare-2013
        title: A source nobody cites
        publisher: Spare Wire
        published: 2013-06
        file: sources/nato.txt
    """
WARNING = ("facts/extra.yaml:2:9: warning: [spare-2013] source is cited by no fact "
           "(hint: cite it or remove it)")


def project(tmp_path, extra=UNCITED):
    tiny_factbase(tmp_path, extra)
    shutil.copytree(resources.TEMPLATES, tmp_path / "templates")  # a desk with its own copies
    write(tmp_path / "readers.yaml", """
        readers:
          - name: Jane Doe
            email: jane.doe@example.org
        """)
    return tmp_path


def test_build_prints_the_warnings_and_their_count(cli, tmp_path):
    result = cli("build", "--format", "pdf", "--theme", "russian-motives",
                 cwd=project(tmp_path))
    assert result.returncode == 0
    assert result.stdout == "out/theme-russian-motives.pdf\n"
    assert result.stderr.splitlines() == [
        WARNING, "checked 3 facts, 2 sources, 2 themes: 0 errors, 1 warning"]


def test_build_strict_fails_on_a_warning_and_writes_nothing(cli, tmp_path):
    root = project(tmp_path)
    result = cli("build", "--strict", cwd=root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [WARNING, "error: fact base has 0 errors, 1 warning"]
    assert not (root / "out").exists()


def test_weekly_of_an_empty_week_warns_and_builds(cli, tmp_path):
    result = cli("weekly", "--week", "2013-W30", "--format", "pdf", cwd=project(tmp_path))
    assert result.returncode == 0
    assert result.stdout == "out/weekly-2013-W30.pdf\n"
    assert result.stderr.splitlines() == [
        WARNING, "warning: no development is dated in 2013-W30",
        "checked 3 facts, 2 sources, 2 themes: 0 errors, 2 warnings"]


def test_weekly_strict_refuses_an_empty_week(cli, tmp_path):
    root = project(tmp_path, extra="")
    result = cli("weekly", "--strict", "--week", "2013-W30", cwd=root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("error: no development is dated in 2013-W30 (--strict makes this "
                             "an error)\n")
    assert not (root / "out").exists()


def test_send_refuses_an_empty_week_unless_allowed(cli, tmp_path):
    root = project(tmp_path, extra="")
    result = cli("send", "--week", "2013-W30", "--dry-run", cwd=root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("error: no development is dated in 2013-W30; nothing sent (hint: "
                             "pass --allow-empty to send it anyway)\n")
    assert not (root / "out").exists()
    result = cli("send", "--week", "2013-W30", "--dry-run", "--allow-empty", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "out/outbox/2013-W30/jane.doe@example.org.eml\n"


def test_send_shows_warnings_and_strict_stops_it(cli, tmp_path):
    root = project(tmp_path)
    result = cli("send", "--week", "2013-W23", "--dry-run", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[:2] == [
        WARNING, "checked 3 facts, 2 sources, 2 themes: 0 errors, 1 warning"]
    result = cli("send", "--week", "2013-W23", "--dry-run", "--strict", "--out", "out2",
                 cwd=root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [WARNING, "error: fact base has 0 errors, 1 warning"]
    assert not (root / "out2").exists()
