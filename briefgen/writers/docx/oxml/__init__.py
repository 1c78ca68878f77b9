"""Raw OOXML for the Word writer: paragraphs as XML text, footnotes, settings and the package."""
