"""The Word writer: brief model to paragraphs; raw OOXML lives in oxml/."""
