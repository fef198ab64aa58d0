"""The compiled code of rule expressions and messages, kept between runs.

Jinja compiles an expression by parsing it and generating and compiling Python code:
for the catalogue's two hundred-odd expressions that is a good part of a check, and the
same every time. As Python keeps the code of its modules in ``__pycache__``, the code
objects are kept in dossier's cache folder (:mod:`dossier.core.cache`;
``DOSSIER_CACHE_DIR=""`` switches it off), one file per version of Jinja, of Python and
of :mod:`dossier.rules.engine` (which sets up the environment the code is made for), and
looked up by the expression's text. A file that cannot be read is ignored and one that
cannot be written is not kept: the expressions are then compiled, as without a cache.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["CompiledCode"]


@functools.cache
def _cache_file() -> Path | None:
    import jinja2

    from dossier.core.cache import cache_folder

    folder = cache_folder()
    if folder is None:
        return None
    engine = Path(__file__).with_name("engine.py").read_bytes()
    digest = hashlib.sha256(engine)
    digest.update(f"{jinja2.__version__}|{sys.version}".encode())
    return folder / "rules" / f"{digest.hexdigest()[:32]}.marshal"


class CompiledCode:
    """Expressions and message templates of one Jinja environment, compiled once and
    kept between runs (see the module docstring)."""

    def __init__(self, env: Any) -> None:
        self._env = env
        self._path = _cache_file()
        self._codes: dict[str, bytes] = {}
        self._added = False
        if self._path is not None:
            try:
                codes = marshal.loads(self._path.read_bytes())
            except (OSError, ValueError, EOFError, TypeError):
                codes = None
            if isinstance(codes, dict):
                self._codes = codes

    def _code(self, key: str, compile_source: Callable[[], Any]) -> Any:
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

    def _template(self, code: Any) -> Any:
        env = self._env
        return env.template_class.from_code(env, code, env.make_globals(None), None)

    def expression(self, source: str) -> Any:
        """What ``env.compile_expression(source, undefined_to_none=False)`` gives."""
        from jinja2 import nodes
        from jinja2.environment import TemplateExpression
        from jinja2.exceptions import TemplateSyntaxError
        from jinja2.parser import Parser

        def compile_source() -> Any:
            # as Environment.compile_expression builds it: the expression assigned to
            # ``result`` in a template of its own
            parser = Parser(self._env, source, state="variable")
            expr = parser.parse_expression()
            if not parser.stream.eos:
                raise TemplateSyntaxError(
                    "chunk after expression", parser.stream.current.lineno, None, None
                )
            expr.set_environment(self._env)
            body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
            return self._env.compile(nodes.Template(body, lineno=1))

        code = self._code("expression\0" + source, compile_source)
        return TemplateExpression(self._template(code), False)

    def template(self, source: str) -> Any:
        """What ``env.from_string(source)`` gives."""
        return self._template(self._code("template\0" + source, lambda: self._env.compile(source)))

    def save(self) -> None:
        """Keep what was compiled in this run, when anything was (written atomically)."""
        if not self._added or self._path is None:
            return
        from dossier.core.cache import write_atomically

        if write_atomically(self._path, marshal.dumps(self._codes)):
            self._added = False
