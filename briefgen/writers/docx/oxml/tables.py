"""Tables of WordprocessingML, written as XML text around the cell paragraphs the writer made.

A table spans the text width in fixed columns; no row breaks across pages (`w:cantSplit`);
its header rows are marked `w:tblHeader`, so Word and LibreOffice repeat them on every page the
table continues on, and assistive technology reads them as the column headings. Header rows are
shaded and ruled under in the accent colour; light rules part the other rows. All markup here
is writer-made; the paragraphs inside come from `runs.Para`, which escapes their text.
"""

from __future__ import annotations

CELL_MARGIN_X, CELL_MARGIN_Y = 85, 45  # twips inside each cell (about 1.5 mm and 0.8 mm)


def table_xml(rows: list[list[list[str]]], widths: list[float], text_width: int,
              header_rows: int, *, shade: str, accent: str, rule: str) -> str:
    """A `w:tbl`: `rows` of cells, each its paragraphs as XML text; `widths` the columns'
    shares of `text_width` (twips); colours as six hex digits (`house.accent_hex`)."""
    total = sum(widths) or 1.0
    columns = [round(text_width * w / total) for w in widths]
    line = '<w:{side} w:val="single" w:sz="{sz}" w:space="0" w:color="{color}"/>'
    out = ["<w:tbl><w:tblPr>", f'<w:tblW w:w="{sum(columns)}" w:type="dxa"/>',
           "<w:tblBorders>", line.format(side="bottom", sz=4, color=rule),
           line.format(side="insideH", sz=4, color=rule), "</w:tblBorders>",
           '<w:tblLayout w:type="fixed"/>',
           f'<w:tblCellMar><w:top w:w="{CELL_MARGIN_Y}" w:type="dxa"/>'
           f'<w:left w:w="{CELL_MARGIN_X}" w:type="dxa"/>'
           f'<w:bottom w:w="{CELL_MARGIN_Y}" w:type="dxa"/>'
           f'<w:right w:w="{CELL_MARGIN_X}" w:type="dxa"/></w:tblCellMar>',
           '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
           'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>', "</w:tblPr><w:tblGrid>"]
    out += [f'<w:gridCol w:w="{w}"/>' for w in columns]
    out.append("</w:tblGrid>")
    for i, cells in enumerate(rows):
        header = i < header_rows
        out.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
                   + "</w:trPr>")
        for paragraphs, width in zip(cells, columns, strict=True):
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>')
            if header:
                if i == header_rows - 1:  # the header's last row is ruled under in the accent
                    out.append("<w:tcBorders>" + line.format(side="bottom", sz=8,
                                                             color=accent)
                               + "</w:tcBorders>")
                out.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>')
            out.append("</w:tcPr>")
            out += paragraphs or ["<w:p/>"]  # a cell holds at least one paragraph
            out.append("</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)
