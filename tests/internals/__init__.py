"""Where briefgen reaches into a library's internals, it gets what the library's own code gives.

Each test runs one reach-in (bench/internals.py measures what each saves) next to the library's
public or original code path on representative inputs and compares the results: the same bytes,
the same drawn text, the same widths, the same split, the same ToUnicode map. pyproject.toml
pins each library to the major versions these tests ran on: a new major must pass them first.
"""
