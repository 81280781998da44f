"""The queries the benchmarks run: a fixed set for cold searches, a generated one for warm latency.

Every query is written so that Whoosh (``archive search``) and SQLite FTS5
read it the same way: lower-case words (AND is implied in both), or one
double-quoted phrase, optionally with a date range.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from make_corpus import SourceArticle

_WORD = re.compile(r"[a-z]{3,}")


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    since: date | None = None
    until: date | None = None  # inclusive: the whole day counts

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    def archive_args(self) -> list[str]:
        """The query as `archive search` arguments."""
        args = [self.text]
        if self.since:
            args += ["--since", self.since.isoformat()]
        if self.until:
            args += ["--until", self.until.isoformat()]
        return args

    def sql_range(self) -> tuple[str, str]:
        """[since, until) as ISO text, to compare with dates stored as ISO text in UTC."""
        since = (self.since or date(1, 1, 1)).isoformat()
        until = (self.until + timedelta(days=1)).isoformat() if self.until else "9999-12-31"
        return since, until

    def as_dict(self) -> dict[str, str | None]:
        """The query as JSON, for a measuring child process (``Query.of`` reads it back)."""
        return {
            "name": self.name,
            "text": self.text,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def of(cls, data: dict[str, str | None]) -> Query:
        since, until = data.get("since"), data.get("until")
        return cls(
            str(data["name"]), str(data["text"]),
            date.fromisoformat(since) if since else None, date.fromisoformat(until) if until else None,
        )  # fmt: skip

    def describe(self) -> str:
        dates = f" {self.since}..{self.until}" if self.dated else ""
        return f"{self.text}{dates}"


#: Words chosen by their document frequency in the BBC set (2,225 files):
#: people 798, kyoto 3, oil+prices ~60, "prime minister" 113, election 218.
COLD_QUERIES: tuple[Query, ...] = (
    Query("common word", "people"),
    Query("rare word", "kyoto"),
    Query("two-word AND", "oil prices"),
    Query("phrase", '"prime minister"'),
    Query("date filter", "election", since=date(2021, 1, 1), until=date(2021, 12, 31)),
)


def warm_queries(articles: Sequence[SourceArticle], count: int, seed: int) -> list[Query]:
    """``count`` queries made from headline words: one word, two words, a phrase, a word in a date range."""
    rng = random.Random(seed)
    stop = stop_words()
    titles = [article.title for article in articles]
    makers = (_one_word, _two_words, _phrase, _dated_word)
    queries: list[Query] = []
    while len(queries) < count:
        words = [word for word in _WORD.findall(rng.choice(titles).lower()) if word not in stop]
        made = makers[len(queries) % len(makers)](rng, words, rng.choice(titles).lower(), stop)
        if made is not None:
            queries.append(made)
    return queries


def _one_word(rng: random.Random, words: list[str], _other: str, _stop: frozenset[str]) -> Query | None:
    return Query("word", rng.choice(words)) if words else None


def _two_words(rng: random.Random, words: list[str], other: str, stop: frozenset[str]) -> Query | None:
    # The second word comes from another headline, so the pair does not always meet.
    others = [word for word in _WORD.findall(other) if word not in stop]
    return Query("two words", f"{rng.choice(words)} {rng.choice(others)}") if words and others else None


def _phrase(rng: random.Random, _words: list[str], title: str, stop: frozenset[str]) -> Query | None:
    tokens = title.split()
    pairs = [
        (first, second)
        for first, second in zip(tokens, tokens[1:], strict=False)
        if all(_WORD.fullmatch(token) and token not in stop for token in (first, second))
    ]
    return Query("phrase", '"{} {}"'.format(*rng.choice(pairs))) if pairs else None


def _dated_word(rng: random.Random, words: list[str], _other: str, _stop: frozenset[str]) -> Query | None:
    if not words:
        return None
    since = date(2019, 1, 1) + timedelta(days=rng.randrange(7 * 365))
    return Query("word in dates", rng.choice(words), since=since, until=since + timedelta(days=rng.randrange(30, 366)))


def stop_words() -> frozenset[str]:
    # Whoosh drops these from queries and FTS5 does not; leaving them out keeps both alike.
    from whoosh.analysis import STOP_WORDS

    return frozenset(STOP_WORDS)
