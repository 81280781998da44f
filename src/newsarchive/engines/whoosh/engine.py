"""The embedded engine: a Whoosh index in the archive's home, behind ``SearchEngine``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from newsarchive.engines.protocol import Document, HitPage, IndexWriter, SearchOptions

if TYPE_CHECKING:
    from newsarchive.query.budget import Budget
    from newsarchive.query.tree import Query

F = TypeVar("F", bound=Callable[..., Any])


def _reads(method: F) -> F:
    """A failed read of a damaged index raises ``IndexDamaged`` saying what is damaged."""

    @functools.wraps(method)
    def run(self: WhooshEngine, *args: Any, **kwargs: Any) -> Any:
        from newsarchive.engines.whoosh.damage import damaged

        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            error = damaged(self.path, exc)
            if error is None:
                raise
            raise error from exc

    return run  # type: ignore[return-value]


class WhooshEngine:
    name = "whoosh"

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        from newsarchive.engines.whoosh.store import index_exists

        return index_exists(self.path)

    def is_current(self) -> bool:
        from newsarchive.engines.whoosh.store import index_is_current

        return index_is_current(self.path)

    def position(self) -> int:
        from newsarchive.engines.whoosh.store import applied_position

        return applied_position(self.path)

    def document_count(self) -> int:
        from newsarchive.engines.whoosh.store import document_count

        return document_count(self.path)

    def entries(self) -> list[tuple[str, int]]:
        from newsarchive.engines.whoosh.store import indexed_entries

        return indexed_entries(self.path)

    def damage(self) -> list[str]:
        from newsarchive.engines.whoosh.damage import index_damage

        return index_damage(self.path)

    def workers_for(self, documents: int) -> int:
        from newsarchive.engines.whoosh.parallel import worker_count

        return worker_count(documents)

    def writer(self, processes: int = 1) -> IndexWriter:
        from newsarchive.engines.whoosh.store import open_writer

        return open_writer(self.path, processes)

    def rebuild(self, documents: Iterable[Document], position: int, processes: int = 1) -> int:
        from newsarchive.engines.whoosh.store import rebuild_index

        return rebuild_index(self.path, documents, position, processes=processes)

    @_reads
    def search(self, query: Query, options: SearchOptions, budget: Budget | None = None) -> HitPage:
        from newsarchive.engines.whoosh.reader import search_index

        return search_index(
            self.path,
            query,
            since=options.since,
            until=options.until,
            sort=options.sort,
            limit=options.limit,
            page=options.page,
            undated=options.undated,
            facets=options.facets,
            collapse=options.collapse,
            budget=budget,
        )

    @_reads
    def suggest(self, query: Query, budget: Budget | None = None) -> str | None:
        from newsarchive.engines.whoosh.explore import suggest

        return suggest(self.path, query.text, budget)

    @_reads
    def similar(self, article_id: str, limit: int) -> tuple[str, HitPage]:
        from newsarchive.engines.whoosh.explore import similar_articles

        return similar_articles(self.path, article_id, limit)

    @_reads
    def telling_terms(self, query: Query, count: int) -> tuple[int, list[tuple[str, float]]]:
        from newsarchive.engines.whoosh.explore import telling_terms

        return telling_terms(self.path, query, count)

    @_reads
    def matching_ids(self, query: Query) -> list[str]:
        from newsarchive.engines.whoosh.reader import matching_ids

        return matching_ids(self.path, query)

    @_reads
    def matching_dates(self, query: Query | None) -> list[datetime | None]:
        from newsarchive.engines.whoosh.reader import matching_dates

        return matching_dates(self.path, query)  # type: ignore[return-value]
