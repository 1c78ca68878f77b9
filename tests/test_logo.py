"""The desk's logo is read as the writers will read it: `check` decodes it, bounded, and says
what is wrong at `logo` (issue 28, items 8 and 20); no command gets further with it."""

import io
import os
import struct
import zlib

import pytest
from PIL import Image

from conftest import tiny_factbase

FIX_PNG = "save it again as a PNG from an image editor"
FIX_JPEG = "save it again as a JPEG from an image editor"
SMALLER = "save it smaller: a logo prints a few centimetres wide"


def image(kind: str, width: int = 400, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (31, 58, 95)).save(out, kind)
    return out.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_saying(width: int, height: int, rows: bytes = b"") -> bytes:
    """A PNG whose header says `width` x `height`, whatever its pixels are."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def half_an_idat() -> bytes:
    whole = image("PNG")
    start = whole.index(b"IDAT") - 4
    length = struct.unpack(">I", whole[start:start + 4])[0]
    return whole[:start] + chunk(b"IDAT", whole[start + 8:start + 8 + length // 2]) + \
        chunk(b"IEND", b"")


def without_jfif() -> bytes:
    """A JPEG as some cameras and tools write it: no JFIF (APP0) or Exif (APP1) segment."""
    whole = image("JPEG")
    assert whole[2:4] == b"\xff\xe0"
    return whole[:2] + whole[4 + struct.unpack(">H", whole[4:6])[0]:]


@pytest.fixture
def desk(tmp_path):
    tiny_factbase(tmp_path)
    (tmp_path / "briefgen.toml").write_text('[desk]\nname = "Desk"\nlogo = "art/logo.png"\n',
                                           encoding="utf-8")
    (tmp_path / "art").mkdir()
    return tmp_path


def refused(cli, desk, message: str, hint: str) -> None:
    """check, build and weekly all stop at the logo, saying the same, and write nothing."""
    for command in (["check"], ["build", "--format", "pdf,docx"],
                    ["weekly", "--week", "2013-W23"]):
        result = cli(*command, cwd=desk)
        assert (result.returncode, result.stdout) == (1, ""), result.stderr
        assert result.stderr.splitlines() == [
            f"briefgen.toml:3:8: error: desk.logo: logo 'art/logo.png' {message} (hint: {hint})",
            "error: briefgen.toml has 1 error, 0 warnings"]
    assert not (desk / "out").exists()


@pytest.mark.parametrize("data, message, hint", [
    (half_an_idat(), "is cut short: the file ends before the image does", FIX_PNG),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "is cut short: the file ends before the image does",
     FIX_PNG),
    (png_saying(10, 10, b"\x05" * 40), "is damaged: its image data cannot be decoded", FIX_PNG),
    (png_saying(0, 0), "is an image of 0 × 0 pixels", FIX_PNG),
    (image("JPEG")[:600], "is cut short: the file ends before the image does", FIX_JPEG),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"x" * 50, "is not a whole JPEG image: its header is "
     "damaged", FIX_JPEG),
    (without_jfif(), "is a JPEG without a JFIF or Exif header, which Word files cannot embed",
     FIX_JPEG),
    (png_saying(30000, 30000), "is 30,000 × 30,000 pixels, more than the 25,000,000 a logo may "
     "have", SMALLER),
], ids=["half-an-idat", "png-magic-and-garbage", "broken-rows", "0x0", "truncated-jpeg",
        "jpeg-header-damaged", "jpeg-without-jfif", "30000x30000"])
def test_a_logo_with_good_magic_and_a_bad_body_is_refused_by_every_command(cli, desk, data,
                                                                            message, hint):
    (desk / "art" / "logo.png").write_bytes(data)
    refused(cli, desk, message, hint)


def test_a_huge_jpeg_is_refused_before_its_pixels_are_decoded(cli, desk):
    """The size is read from the header: 65,000 x 65,000 pixels would be 12 GB decoded."""
    jpeg = bytearray(image("JPEG", 16, 16))
    sof = jpeg.index(b"\xff\xc0")
    jpeg[sof + 5:sof + 9] = struct.pack(">HH", 65000, 65000)
    (desk / "art" / "logo.png").write_bytes(bytes(jpeg))
    refused(cli, desk, "has more than 25,000,000 pixels, more than a logo may have", SMALLER)


def test_a_logo_that_is_a_pipe_is_named_as_one_and_never_opened(cli, desk):
    os.mkfifo(desk / "art" / "logo.png")  # opening it would wait for a writer forever
    refused(cli, desk, "is not a regular file (a pipe, socket or device)",
            "save it as a plain file")


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_a_whole_logo_builds_in_both_formats(cli, desk, kind):
    (desk / "art" / "logo.png").write_bytes(image(kind))
    assert cli("check", cwd=desk).returncode == 0
    result = cli("build", "--theme", "russian-motives", cwd=desk)
    assert result.stdout.splitlines() == ["out/theme-russian-motives.docx",
                                          "out/theme-russian-motives.pdf"], result.stderr
