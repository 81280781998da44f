"""The embedded engine: a Whoosh index in the archive's home, behind ``SearchEngine``.

The modules it uses are imported by the method that needs them, so that a
search does not load the writers, nor an ingest the snippet code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from newsarchive.engines.protocol import Document, HitPage, IndexWriter, PeriodCounts, SearchOptions

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsarchive.query.budget import Budget
    from newsarchive.query.tree import Query

F = TypeVar("F", bound=Callable[..., Any])


def _reads(method: F) -> F:
    """A failed read of a damaged index raises ``IndexDamaged`` saying what is damaged; any other failure is left as it is."""

    @functools.wraps(method)
    def run(self: WhooshEngine, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            from newsarchive.engines.whoosh.damage import damaged

            error = damaged(self.path, exc)
            if error is None:
                raise
            raise error from exc

    return run  # type: ignore[return-value]


class WhooshEngine:
    """The ``SearchEngine`` over the Whoosh index in the folder ``path``."""

    name = "whoosh"
    follows_log = True

    def __init__(self, path: Path) -> None:
        self.path = path

    # --- the index itself ---------------------------------------------------------

    def exists(self) -> bool:
        from newsarchive.engines.whoosh.files import index_exists

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
        from newsarchive.engines.whoosh.failures import REPAIR_HINT, reason
        from newsarchive.engines.whoosh.store import indexed_entries
        from newsarchive.errors import ArchiveError, IndexDamaged

        try:
            return indexed_entries(self.path)
        except (ArchiveError, OSError):
            raise
        except Exception as exc:  # (damage that reading every segment back did not meet)
            raise IndexDamaged(
                f"the search index is damaged: its ids and revisions do not read back ({reason(exc)})", hint=REPAIR_HINT
            ) from exc

    def damage(self) -> list[str]:
        from newsarchive.engines.whoosh.damage import index_damage

        return index_damage(self.path)

    def workers_for(self, documents: int, cap: int | None = None) -> int:
        from newsarchive.engines.whoosh.parallel import worker_count

        return worker_count(documents, cap)

    def stage(self, session: Session, stored: Sequence[str], removed: Sequence[str]) -> None:
        """Nothing: this index follows the change log after the commit (``services.freshness``)."""

    def close(self) -> None:
        """Nothing held open: each question opens the index's files (and a searcher caches them by fingerprint)."""

    def writer(self, processes: int = 1) -> IndexWriter:
        from newsarchive.engines.whoosh.building import open_writer

        return open_writer(self.path, processes)

    def rebuild(self, documents: Iterable[Document], position: int, processes: int = 1) -> int:
        from newsarchive.engines.whoosh.building import rebuild_index

        return rebuild_index(self.path, documents, position, processes=processes)

    # --- questions ----------------------------------------------------------------

    @_reads
    def search(self, query: Query, options: SearchOptions, budget: Budget | None = None) -> HitPage:
        from newsarchive.engines.whoosh.reader import search_index

        return search_index(self.path, query, options, budget)

    @_reads
    def suggest(self, query: Query, budget: Budget | None = None) -> str | None:
        from newsarchive.engines.whoosh.explore import suggest

        return suggest(self.path, query, budget)

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
    def count_by_period(
        self,
        query: Query | None,
        edges: Sequence[datetime],
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        zone: tzinfo = UTC,
    ) -> PeriodCounts:
        from newsarchive.engines.whoosh.reader import count_by_period

        return count_by_period(self.path, query, edges, since=since, until=until, zone=zone)
