"""The PDF writer: fonts, text blocks, the page loop and layout, on reportlab's canvas."""
