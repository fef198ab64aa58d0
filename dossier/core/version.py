"""The version of dossier, read by the packaging (hatch), the manifest and ``--version``.

It lives here, in the lowest layer, so that every stage can name it without importing
the package root (which re-exports the front door).
"""

__version__ = "0.1.0"
