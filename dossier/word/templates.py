"""Finding Word templates: a user's folders override the built-ins by name.

The search path is, most specific first: the folders given with ``--templates``, the
folders named in the project file (``project.output.templates``), then the built-in
``templates/``. In each folder a document-specific file (``briefing/house.docx``) is
tried before the general one (``house.docx``). A template that is not found is an
error that lists every place searched; a template name that leads out of the template
folders (an absolute path, ``..``) is refused.

Codes: ``DOS-T017`` a template name that is not a path inside the template folders.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from dossier.core.diagnostics import Diagnostic, Location, Severity
from dossier.core.errors import UserError
from dossier.core.resources import builtin_dir

__all__ = ["TemplateSearch", "check_template_name", "template_error"]


def template_error(
    code: str, message: str, where: Path | str, hint: str | None = None
) -> UserError:
    """A located template problem (exit code 1, no traceback)."""
    return UserError(Diagnostic(code, Severity.ERROR, message, Location(str(where)), hint))


def check_template_name(name: str, named_in: Path | None = None) -> None:
    """``DOS-T017`` when a template name is not a relative path inside a template folder:
    absolute, with a drive, empty, or climbing out with ``..`` (``\\`` counts as ``/``)."""
    path = PureWindowsPath(name)
    parts = name.replace("\\", "/").split("/")
    if not name.strip() or path.drive or path.root or name.startswith("/") or ".." in parts:
        raise template_error(
            "DOS-T017",
            f"template '{name}' is not a path inside the template folders",
            named_in if named_in is not None else name,
            "name the template relative to a template folder (e.g. house.docx or "
            "briefing/house.docx) and put the file there",
        )


@dataclass(frozen=True)
class TemplateSearch:
    """Where templates are looked for, most specific first."""

    folders: tuple[Path, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, user_folders: Sequence[Path] = ()) -> TemplateSearch:
        """User folders first, the built-in templates last."""
        return cls((*user_folders, builtin_dir("templates")))

    def candidates(self, name: str, document: str | None = None) -> Iterator[Path]:
        """Every path tried for a template name, in order."""
        for folder in self.folders:
            if document:
                yield folder / document / name
            yield folder / name

    def find(self, name: str, document: str | None = None, *, named_in: Path | None = None) -> Path:
        """The first existing template of this name; an error listing the places otherwise.
        ``name`` is a path relative to a template folder that stays inside it
        (``DOS-T017`` otherwise, located at ``named_in``, the file that names it)."""
        check_template_name(name, named_in)
        tried = list(self.candidates(name, document))
        for path in tried:
            if path.is_file():
                return path
        raise template_error(
            "DOS-T001",
            f"template '{name}' was not found; searched: " + ", ".join(map(str, tried)),
            tried[0] if tried else name,
            "put a file of that name in a template folder (--templates DIR) or remove the "
            "setting that asks for it",
        )

    def all_templates(self) -> list[Path]:
        """Every .docx template in the search folders (for ``dossier templates check``)."""
        return sorted(
            {p for folder in self.folders if folder.is_dir() for p in folder.rglob("*.docx")}
        )
