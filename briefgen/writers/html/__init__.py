"""The HTML writer: a brief model as one self-contained, accessible web page."""
