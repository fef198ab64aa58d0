"""Word: every mechanic of a ``.docx``: the sandboxed template environment, the house
style, the writer that turns draft blocks into paragraphs and tables, footnotes, OOXML
helpers and the template linter. It reads only the block types of :mod:`dossier.drafts`.
"""
