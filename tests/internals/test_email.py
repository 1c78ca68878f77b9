"""The email package's generator: messages that share parts (distribution/message.py)."""

from __future__ import annotations


def test_messages_sharing_parts_flatten_to_the_bytes_of_the_email_packages_generator():
    """`flatten` writes a shared part's bytes, serialised once, into the generator's private
    output (`_fp`) instead of serialising the part again for every message: each message is
    the bytes the email package's own generator gives for it."""
    from email.headerregistry import Address
    from types import SimpleNamespace

    from briefgen.distribution.message import attachment_part, body_part, build_message, flatten
    from briefgen.distribution.readers import Reader

    words = SimpleNamespace(subject="Libya weekly brief — 2019-W50", attachment="brief",
                            text="Héllo,\n\nthe brief — “as promised”.\n" + "long line " * 30,
                            html="<p>Héllo, <b>the brief</b> — “as promised”.</p>\n")
    body = body_part(words, "2019-W50/False")
    files = [attachment_part(bytes(range(256)) * 50, "brief.pdf"),
             attachment_part(b"PK\x03\x04" + bytes(300), "brief.docx")]
    sender = Address("Libya briefs", addr_spec="briefs@example.org")
    readers = [Reader("Jane Doe", "jane@example.org", None),
               Reader("Siobhán Ó Súilleabháin", "s@example.org", None),
               Reader('O\'Brien, "Jo"', "jo@example.org", None)]
    for n, reader in enumerate(readers):
        msg = build_message(reader, words, files, sender=sender, msgid=f"<m{n}@example.org>",
                            edition="2019-W50-0123456789ab", corrected=n == 2,
                            replaces="<old@example.org>" if n == 2 else None, body=body)
        assert flatten(msg) == msg.as_bytes()
    assert files[0].as_bytes() in flatten(msg) and body.as_bytes() in flatten(msg)
