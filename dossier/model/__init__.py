"""The project data model (pydantic v2): one class per part of the project file.

Import :class:`dossier.model.project.Project` for the root; loading and
validation with located diagnostics live in :mod:`dossier.model.project_io`.

The modules that define model classes do without ``from __future__ import annotations``:
with annotations evaluated as each class is made, pydantic need not evaluate ~400
annotation strings at every start of the command line.
"""
