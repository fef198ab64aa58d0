"""Compiled Jinja code kept between runs, as Python keeps module code in ``__pycache__``.

Jinja compiles a template or expression by parsing it and generating and compiling
Python code, the same work on every run for the same text: for the rule catalogue's two
hundred-odd expressions and the Word templates' parts, a good part of a check or a
build. A :class:`CodeStore` keeps the code objects in dossier's cache folder
(:mod:`dossier.core.cache`; ``DOSSIER_CACHE_DIR=""`` switches it off), one file per kind
of environment and per version of Jinja, of Python and of the modules that set that
environment up (the code is made for it), looked up by the source text. A file that
cannot be read is ignored and one that cannot be written is not kept: the sources are
then compiled, as without a store.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from jinja2 import Template

__all__ = ["CodeStore", "expression", "template"]


def _store_file(kind: str, sources: Sequence[Path]) -> Path | None:
    import jinja2

    from dossier.core.cache import cache_folder

    folder = cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(f"{kind}|{jinja2.__version__}|{sys.version}".encode())
    for source in sources:
        digest.update(source.read_bytes())
    return folder / "jinja" / f"{kind}-{digest.hexdigest()[:32]}.marshal"


class CodeStore:
    """The code objects compiled for one kind of environment, kept between runs.

    ``sources`` are the files whose code sets the environment up: a change to any of
    them is a new store.
    """

    def __init__(self, kind: str, sources: Sequence[Path]) -> None:
        self._path = _store_file(kind, sources)
        self._codes: dict[str, bytes] = {}
        self._added = False
        if self._path is not None:
            try:
                codes = marshal.loads(self._path.read_bytes())
            except (OSError, ValueError, EOFError, TypeError):
                codes = None
            if isinstance(codes, dict):
                self._codes = codes

    @property
    def enabled(self) -> bool:
        """Whether code is kept between runs (there is a cache folder)."""
        return self._path is not None

    def holds_expression(self, source: str) -> bool:
        """Whether the code of expression ``source`` is kept (see :func:`expression`)."""
        return "expression\0" + source in self._codes

    def code(self, key: str, compile_source: Callable[[], Any]) -> Any:
        """The code kept under ``key``, else ``compile_source()`` (then kept)."""
        data = self._codes.get(key)
        if data is not None:
            try:
                return marshal.loads(data)
            except (ValueError, EOFError, TypeError):
                pass
        code = compile_source()
        self._codes[key] = marshal.dumps(code)
        self._added = True
        return code

    def save(self) -> None:
        """Keep what was compiled since the store was read, if anything (atomically)."""
        if not self._added or self._path is None:
            return
        from dossier.core.cache import write_atomically

        if write_atomically(self._path, marshal.dumps(self._codes)):
            self._added = False


def template(env: Any, store: CodeStore, source: str, globals: Any = None) -> Template:
    """What ``env.from_string(source, globals)`` gives, with the code from ``store``."""
    code = store.code("template\0" + source, lambda: env.compile(source))
    made: Template = env.template_class.from_code(env, code, env.make_globals(globals), None)
    return made


def expression(env: Any, store: CodeStore, source: str) -> Any:
    """What ``env.compile_expression(source, undefined_to_none=False)`` gives, with the
    code from ``store``."""
    from jinja2 import nodes
    from jinja2.environment import TemplateExpression
    from jinja2.exceptions import TemplateSyntaxError
    from jinja2.parser import Parser

    def compile_source() -> Any:
        # as Environment.compile_expression builds it: the expression assigned to
        # ``result`` in a template of its own
        parser = Parser(env, source, state="variable")
        expr = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError(
                "chunk after expression", parser.stream.current.lineno, None, None
            )
        expr.set_environment(env)
        body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
        return env.compile(nodes.Template(body, lineno=1))

    code = store.code("expression\0" + source, compile_source)
    template = env.template_class.from_code(env, code, env.make_globals(None), None)
    return TemplateExpression(template, False)
