"""Entry point for `python -m briefgen`."""

from briefgen.cli import console

console()
