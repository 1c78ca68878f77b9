"""Every file a desk names stays inside the desk: the logo, the templates (and what they
include), wording.toml, reference.docx and the fonts follow the facts folder's rule (issue 28,
item 17). Nothing outside is opened, embedded, mailed, or said to exist or not."""

import io
import shutil

import pytest
from PIL import Image

from briefgen import resources
from conftest import tiny_factbase


@pytest.fixture
def desk(tmp_path):
    root = tmp_path / "desk"
    tiny_factbase(root)
    shutil.copytree(resources.TEMPLATES, root / "templates")
    return root


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 58, 95)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("where, message, hint", [
    ("ABSOLUTE", "must be relative to the desk folder", "write it as e.g. 'art/logo.png'"),
    ("../outside/logo.png", "is outside the desk folder", "put the file in the desk folder"),
    ("../outside/no-such.png", "is outside the desk folder", "put the file in the desk folder"),
    ("link.png", "is outside the desk folder", "put the file in the desk folder"),
])
def test_a_logo_outside_the_desk_is_refused_whether_or_not_it_exists(cli, desk, where, message,
                                                                   hint):
    outside = desk.parent / "outside"
    outside.mkdir()
    (outside / "logo.png").write_bytes(png())
    (desk / "link.png").symlink_to(outside / "logo.png")
    name = str(outside / "logo.png") if where == "ABSOLUTE" else where
    (desk / "briefgen.toml").write_text(f'[desk]\nlogo = "{name}"\n', encoding="utf-8")
    for command in ("check", "build"):
        result = cli(command, cwd=desk)
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr.splitlines() == [
            f"briefgen.toml:2:8: error: desk.logo: logo '{name}' {message} (hint: {hint})",
            "error: briefgen.toml has 1 error, 0 warnings"]
    assert not (desk / "out").exists()


def test_a_template_that_links_out_of_the_folder_is_never_read(cli, desk, tmp_path):
    secret = tmp_path / "hostname"
    secret.write_text("SECRET-MACHINE-NAME\n", encoding="utf-8")
    (desk / "templates" / "secret.md.j2").symlink_to(secret)
    theme = desk / "templates" / "theme.md.j2"
    text = theme.read_text(encoding="utf-8")
    line = text[:text.index("## {{ words.brief.our_assessment }}")].count("\n") + 1
    theme.write_text(text.replace("## {{ words.brief.our_assessment }}",
                                  "{% include 'secret.md.j2' %}\n## Our assessment"),
                     encoding="utf-8")
    for command in ("check", "build"):
        result = cli(command, cwd=desk)
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr.splitlines() == [
            f"templates/theme.md.j2:{line}: error: template 'secret.md.j2' is outside the "
            "templates folder (hint: put the file in the templates folder)",
            "error: template has 1 error, 0 warnings"]
    assert not (desk / "out").exists()


@pytest.mark.parametrize("name, message, label", [
    ("theme.md.j2", "templates/theme.md.j2:1: error: template 'theme.md.j2' is outside the "
     "templates folder (hint: put the file in the templates folder)", "template"),
    ("wording.toml", "templates/wording.toml:1:1: error: wording.toml is outside the templates "
     "folder (hint: put the file in the templates folder)", "wording.toml"),
])
def test_a_desk_template_file_that_is_a_link_out_is_refused(cli, desk, tmp_path, name, message,
                                                            label):
    moved = tmp_path / name
    shutil.move(desk / "templates" / name, moved)
    (desk / "templates" / name).symlink_to(moved)
    result = cli("check", cwd=desk)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [message, f"error: {label} has 1 error, 0 warnings"]


def test_a_desk_font_that_links_out_is_refused(cli, desk, tmp_path):
    fonts = desk / "templates" / "fonts"
    fonts.mkdir()
    for font in resources.FONTS.glob("*.ttf"):
        shutil.copy(font, fonts)
    (tmp_path / "Other-Regular.ttf").write_bytes(b"not a font")
    (fonts / "Other-Regular.ttf").symlink_to(tmp_path / "Other-Regular.ttf")
    result = cli("build", "--theme", "russian-motives", "--format", "pdf", cwd=desk)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines()[-1] == (
        "error: font templates/fonts/Other-Regular.ttf is outside the fonts folder (hint: put "
        "the file in the fonts folder)")


def test_a_link_inside_the_desk_is_fine(cli, desk):
    (desk / "art").mkdir()
    (desk / "art" / "logo.png").write_bytes(png())
    (desk / "logo.png").symlink_to(desk / "art" / "logo.png")
    (desk / "briefgen.toml").write_text('[desk]\nlogo = "logo.png"\n', encoding="utf-8")
    assert cli("check", cwd=desk).returncode == 0
