"""`briefgen` with `check`'s shared-text detection turned off: the baseline that `run.py`
times `check` against, in the same run, to measure what the detection costs."""

from briefgen.cli import console
from briefgen.factbase import texts

texts.signatures = lambda found: {}  # no sentence keys: no source shares text with another

if __name__ == "__main__":
    console()
