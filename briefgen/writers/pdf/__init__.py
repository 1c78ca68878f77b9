"""The PDF writer: layout on reportlab platypus, text blocks, fonts."""
