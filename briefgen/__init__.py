"""briefgen: source-backed facts in, briefs a reader can trust line by line out."""

__version__ = "0.1.0"
