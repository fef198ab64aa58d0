"""Drafts: what each document says, as typed blocks (sections, paragraphs, tables, figures).

Outlines (``sections/*.yaml``) name the units that build each section; the units read the
project model, the computed results and the rule findings, and return blocks. Nothing
here knows about Word: :mod:`dossier.word` turns the blocks into a ``.docx``.
"""
