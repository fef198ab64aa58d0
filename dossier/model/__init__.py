"""The project data model (pydantic v2): one class per part of the project file.

Import :class:`dossier.model.project.Project` for the root; loading and
validation with located diagnostics live in :mod:`dossier.model.project_io`.
"""
