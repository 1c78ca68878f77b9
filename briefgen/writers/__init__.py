"""Output writers: turn a Brief into Word (.docx) and PDF files."""
