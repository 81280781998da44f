"""The engine boundary: only the Whoosh engine's package imports Whoosh, or anything of that package.

Every import in every module of ``src/newsarchive`` is read from its syntax
tree (imports inside functions and under ``TYPE_CHECKING`` too), so a service
that reaches around the protocol fails here, not in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "newsarchive"
ENGINE_PACKAGE = SOURCE / "engines" / "whoosh"
#: The one door into the engine's package from outside it: the factory that opens the engine the settings name.
FACTORY = (SOURCE / "engines" / "__init__.py", "newsarchive.engines.whoosh.engine.WhooshEngine")
#: Modules still reaching into the engine while their owners move them onto the protocol. Each entry must still
#: import it (else this test says to strike it out); the list is to be empty.
PENDING: set[str] = set()


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of everything the module at ``path`` imports."""
    package = path.relative_to(SOURCE.parent).with_suffix("").parts[:-1]
    return imports_of(path.read_text(encoding="utf-8"), package)


def imports_of(text: str, package: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in ``text``, a module of ``package``; ``from a import b`` gives ``a.b``."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package, or one above it per extra dot
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def reaches_engine(name: str) -> bool:
    return _within(name, "whoosh") or _within(name, "newsarchive.engines.whoosh")


def outside_modules() -> list[Path]:
    return sorted(path for path in SOURCE.rglob("*.py") if ENGINE_PACKAGE not in path.parents)


def test_the_walk_sees_every_kind_of_import() -> None:
    text = (
        "import whoosh.index\n"
        "from newsarchive.engines import whoosh\n"
        "def later():\n"
        "    from ..engines.whoosh.store import open_index\n"
        "    from . import search\n"
    )
    names = [name for _, name in imports_of(text, ("newsarchive", "services"))]
    assert names == [
        "whoosh.index",
        "newsarchive.engines.whoosh",
        "newsarchive.engines.whoosh.store.open_index",
        "newsarchive.services.search",
    ]
    assert [reaches_engine(name) for name in names] == [True, True, True, False]
    assert not reaches_engine("whooshy") and not reaches_engine("newsarchive.engines.protocol")


#: The words every engine shares may use English's Porter stemmer and stop words from ``whoosh.lang``
#: (plain functions and lists, no index): an English index stays as it has always been.
SHARED_WORDS = (SOURCE / "text" / "languages.py", "whoosh.lang")


def test_nothing_outside_the_engine_package_imports_whoosh() -> None:
    reaching = {}
    for path in outside_modules():
        for line, name in imported(path):
            shared_words = path == SHARED_WORDS[0] and _within(name, SHARED_WORDS[1])
            if reaches_engine(name) and (path, name) != FACTORY and not shared_words:
                reaching.setdefault(path.relative_to(SOURCE).as_posix(), []).append(f"line {line}: {name}")
    unexpected = {module: names for module, names in reaching.items() if module not in PENDING}
    assert not unexpected, "use the engine through engines.protocol (a SearchEngine from engines.open_engine)"
    done = sorted(PENDING - set(reaching))
    assert not done, f"these no longer import the engine: strike them out of PENDING: {done}"


def test_the_factory_is_the_one_door_and_the_protocol_names_no_engine() -> None:
    assert any(name == FACTORY[1] for _, name in imported(FACTORY[0]))
    protocol = SOURCE / "engines" / "protocol.py"
    engines = [name for _, name in imported(protocol) if _within(name, "newsarchive.engines") or reaches_engine(name)]
    assert engines == [], "the protocol's types must not depend on any engine"
    # The protocol is imported by every service: only the standard library and our own leaves at its top
    # (the database's session is named for type checking only: ``stage`` writes in the caller's transaction).
    allowed = ("__future__", "collections", "dataclasses", "datetime", "typing", "newsarchive.query", "sqlalchemy.orm")
    assert all(name.startswith(allowed) for _, name in imported(protocol))


@pytest.mark.parametrize("module", ["services/search.py", "services/trend.py", "services/export.py", "services/articles.py"])
def test_the_reading_services_take_an_engine(module: str) -> None:
    """They are given a ``SearchEngine``; none opens one from the archive's settings itself."""
    names = [name for _, name in imported(SOURCE / module)]
    assert "newsarchive.engines.open_engine" not in names


def test_the_engine_modules_import_one_another_without_a_circle() -> None:
    """Layers, not a knot: an import put inside a function to hide a circle is still an import here."""
    package = "newsarchive.engines.whoosh"
    modules = {path.stem: path for path in ENGINE_PACKAGE.glob("*.py") if path.stem != "__init__"}
    uses: dict[str, set[str]] = {}
    for stem, path in modules.items():
        uses[stem] = set()
        for _, name in imported(path):
            rest = name.removeprefix(package + ".")
            first = rest.split(".")[0]
            if name.startswith(package + ".") and first in modules and first != stem:
                uses[stem].add(first)

    def circle_from(stem: str, path: tuple[str, ...]) -> tuple[str, ...] | None:
        for used in sorted(uses[stem]):
            if used in path:
                return (*path[path.index(used) :], used)
            found = circle_from(used, (*path, used))
            if found:
                return found
        return None

    circles = [circle for stem in sorted(modules) if (circle := circle_from(stem, (stem,)))]
    assert not circles, " -> ".join(circles[0])
