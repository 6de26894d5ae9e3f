#!/usr/bin/env python3
"""Builds the corpus's .docx files from their table descriptions (*.table).

A .table file is the published table written out: lines before the first
"|" line are paragraphs above the table (the title block); "|"-separated
lines are rows; a line "---" ends a table (a page break that starts a new
Word table); "> text" is a paragraph between tables. Inside a cell, " // "
separates paragraphs, "{span=N}" makes the cell span N grid columns and
"^" alone marks a cell merged with the one above (Word's vMerge).

Run: python3 make_docx.py FILE.table... (writes FILE.docx beside each).
Only the Python standard library is needed; the output is a minimal but
valid WordprocessingML package that Word and LibreOffice open.
"""
import re
import sys
import zipfile
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""


def para(text):
    runs = []
    for i, piece in enumerate(text.split("\t")):
        if i:
            runs.append("<w:r><w:tab/></w:r>")
        if piece:
            runs.append('<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % escape(piece))
    return "<w:p>%s</w:p>" % "".join(runs)


def cell(text, merge_state):
    props = []
    m = re.match(r"\{span=(\d+)\}\s*(.*)", text)
    if m:
        props.append('<w:gridSpan w:val="%s"/>' % m.group(1))
        text = m.group(2)
    if text == "^":
        props.append("<w:vMerge/>")
        text = ""
    elif merge_state:
        props.append('<w:vMerge w:val="restart"/>')
    paras = [para(p.strip()) for p in text.split(" // ")] or [para("")]
    return "<w:tc><w:tcPr>%s</w:tcPr>%s</w:tc>" % ("".join(props), "".join(paras))


def table(rows):
    out = ["<w:tbl><w:tblPr/>"]
    for r, row in enumerate(rows):
        out.append("<w:tr>")
        for c, text in enumerate(row):
            below = rows[r + 1][c].strip() if r + 1 < len(rows) and c < len(rows[r + 1]) else ""
            out.append(cell(text.strip(), below == "^" and text.strip() != "^"))
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def build(path):
    body, rows = [], []
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("|"):
            rows.append(line.strip().strip("|").split("|"))
            continue
        if rows:
            body.append(table(rows))
            rows = []
        if line.strip() == "---":
            body.append(para(""))
        elif line.startswith("> "):
            body.append(para(line[2:]))
        elif line.strip():
            body.append(para(line.strip()))
    if rows:
        body.append(table(rows))
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           "<w:body>%s<w:sectPr/></w:body></w:document>" % "".join(body))
    out = re.sub(r"\.table$", ".docx", path)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
                           ("word/document.xml", doc)):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def blocks_of(path):
    """The .table file as ("p", text) and ("t", rows) blocks."""
    blocks, rows = [], []
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        if rows:
            blocks.append(("t", rows))
            rows = []
        if line.startswith("> "):
            blocks.append(("p", line[2:]))
        elif line.strip() and line.strip() != "---":
            blocks.append(("p", line.strip()))
    if rows:
        blocks.append(("t", rows))
    return blocks


def build_html(path, out):
    html = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>plan</title></head><body>"]
    for kind, value in blocks_of(path):
        if kind == "p":
            html.append("<p>%s</p>" % escape(value))
            continue
        html.append("<table border='1'>")
        for r, row in enumerate(value):
            html.append("<tr>")
            for c, text in enumerate(row):
                if text == "^":
                    continue
                down = 1
                while r + down < len(value) and c < len(value[r + down]) and value[r + down][c] == "^":
                    down += 1
                attrs = ""
                m = re.match(r"\{span=(\d+)\}\s*(.*)", text)
                if m:
                    attrs += " colspan='%s'" % m.group(1)
                    text = m.group(2)
                if down > 1:
                    attrs += " rowspan='%d'" % down
                tag = "th" if r == 0 else "td"
                inner = "".join("<p>%s</p>" % escape(p.strip()) for p in text.split(" // ")) if " // " in text else escape(text)
                html.append("<%s%s>%s</%s>" % (tag, attrs, inner, tag))
            html.append("</tr>")
        html.append("</table>")
    html.append("</body></html>")
    open(out, "w", encoding="utf-8").write("\n".join(html) + "\n")


def build_text(path, out):
    lines = []
    for kind, value in blocks_of(path):
        if kind == "p":
            lines.append(value)
            continue
        for row in value:
            cells = []
            for text in row:
                text = re.sub(r"^\{span=\d+\}\s*", "", text)
                if text == "^":
                    text = ""
                if " // " in text:
                    text = " ".join("<p>%s</p>" % p.strip() for p in text.split(" // "))
                cells.append(text)
            lines.append("\t".join(cells))
        lines.append("")
    open(out, "w", encoding="utf-8").write("\n".join(lines) + "\n")


args = sys.argv[1:]
mode = "docx"
if args and args[0] in ("--html", "--text"):
    mode = args.pop(0)[2:]
for p in args:
    if mode == "docx":
        build(p)
    elif mode == "html":
        build_html(p, re.sub(r"\.table$", ".html", p))
    else:
        build_text(p, re.sub(r"\.table$", ".txt", p))
