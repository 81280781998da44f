"""Write a synthetic news corpus in the seed layout, recombined from the BBC News dataset.

Each article is one UTF-8 ``.txt`` file laid out like ``seeds/``: a title
line, a lede line, a dateline, then one paragraph per line. Titles, ledes and
body paragraphs are real BBC text, recombined within one topic so that an
article reads like one beat; datelines are spread over 2019-2025 in three
of the forms the parser accepts. A share of the files (2% by default) are
byte copies of earlier ones, so that dedupe is exercised.

Recombining alone would keep the vocabulary of the BBC set (about 30,000
words) however large the corpus, while a real news collection keeps meeting
new names, places and numbers: its vocabulary grows with its size by Heaps'
law, V = K * n^b (Reuters' RCV1: K = 44, b = 0.49 over tokens). Index costs
per term (a pickled block per term per segment, each segment's term table)
grow with it, so ``NewWords`` replaces proper names and numbers in the
recombined text with invented ones, as many new ones by article n as
``NEW_WORDS_AT * (n / 100,000) ** NEW_WORDS_EXPONENT``: about 75,000 new
words in 20,000 articles and 200,000 in 100,000, in line with RCV1's curve.
Names already invented come back as often as they have been used (a Simon
process), so a few recur in many articles and most in one or two.

The output depends only on the source texts, the count and the seed. Files go
in numbered sub-folders of at most 1,000, and a hidden ``.corpus.json``
manifest (passed over by ``archive ingest``) says how the corpus was made.

    python benchmarks/make_corpus.py benchmarks/work/corpora/20000 --count 20000 --seed 2024

Also importable: ``write_corpus``, ``read_source``, ``article_files``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "corpora" / "bbc"
# Hidden, so that `archive ingest` passes over it (it reads .json files as articles).
MANIFEST = ".corpus.json"
#: Bump when the same seed would give other files, so that kept corpora are remade.
MAKER_VERSION = 2
FILES_PER_FOLDER = 1000
DEFAULT_SEED = 2024
DEFAULT_DUPLICATE_SHARE = 0.02

FIRST_MOMENT = datetime(2019, 1, 1)
LAST_MOMENT = datetime(2025, 12, 31, 23, 59)
# Spelled out rather than strftime("%B"), which follows the locale.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
#: The collection-notes names ``archive ingest`` passes over (README.TXT in the BBC set).
_NOT_ARTICLES = ("readme", "license", "licence", "changelog", "copying")


@dataclass(frozen=True)
class SourceArticle:
    topic: str
    title: str
    paragraphs: tuple[str, ...]  # the first one is the standfirst


@dataclass(frozen=True)
class ParsedArticle:
    """A file as the references read it: the seed layout when line 3 is one of our datelines, else BBC."""

    title: str
    description: str
    paragraphs: tuple[str, ...]
    published: datetime | None  # naive UTC


@dataclass(frozen=True)
class CorpusManifest:
    articles: int
    duplicates: int
    seed: int
    duplicate_share: float
    source: str
    bytes: int
    seconds: float
    maker_version: int = MAKER_VERSION


class _TopicPool:
    """What one topic offers: titles, ledes, body paragraphs and article lengths."""

    def __init__(self) -> None:
        self.titles: list[str] = []
        self.ledes: list[str] = []
        self.paragraphs: list[str] = []
        self.lengths: list[int] = []  # body paragraphs per source article

    def add(self, article: SourceArticle) -> None:
        self.titles.append(article.title)
        self.ledes.append(article.paragraphs[0])
        self.paragraphs.extend(article.paragraphs[1:])
        self.lengths.append(len(article.paragraphs) - 1)


def decode_bytes(data: bytes) -> str:
    """UTF-8, else a Cyrillic legacy encoding (cp1251 or KOI8-R) when most letters are Cyrillic, else cp1252.

    The one legacy BBC file has a raw 0xA3 for the pound sign; the multilingual
    corpus has files in cp1251, KOI8-R, cp1252 and ISO-8859-2 (which writes
    German's letters as cp1252 does). The references read them with this.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if sum(byte >= 0xC0 for byte in data) > len(data) // 4:
        # Cyrillic text read in the other encoding comes out mostly in capitals.
        readings = [data.decode(encoding, errors="replace") for encoding in ("cp1251", "koi8-r")]
        return max(readings, key=lambda text: sum(map(str.islower, text)))
    return data.decode("cp1252", errors="replace")


def article_files(root: Path) -> list[Path]:
    """The ``.txt`` article files under ``root`` in a stable order, as ``archive ingest`` picks them."""
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            stem, ext = os.path.splitext(name)
            if not name.startswith(".") and ext.lower() == ".txt" and stem.lower() not in _NOT_ARTICLES:
                found.append(Path(folder, name))
    return found


def read_source(source: Path = DEFAULT_SOURCE) -> list[SourceArticle]:
    """Every article of the BBC set: title on line 1, paragraphs separated by blank lines."""
    articles = []
    for path in article_files(source):
        lines = [line.strip() for line in decode_bytes(path.read_bytes()).split("\n")]
        filled = [line for line in lines if line]
        if len(filled) >= 2:
            articles.append(SourceArticle(path.parent.name, filled[0], tuple(filled[1:])))
    if not articles:
        raise SystemExit(f"no articles found under {source}")
    return articles


def format_dateline(moment: datetime, form: int) -> str:
    """``moment`` in one of three forms the parser accepts: 0, 1 or 2."""
    if form == 0:
        return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year} {moment:%H:%M}"
    if form == 1:
        hour = moment.hour % 12 or 12
        return f"{MONTHS[moment.month - 1]} {moment.day}, {moment.year} {hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{moment:%Y-%m-%dT%H:%M:00Z}"


_MONTH_NAMES = "|".join(MONTHS)
_DATELINES = tuple(
    re.compile(pattern)
    for pattern in (
        rf"(?P<day>\d{{1,2}}) (?P<month>{_MONTH_NAMES}) (?P<year>\d{{4}}) (?P<hour>\d\d):(?P<minute>\d\d)",
        rf"(?P<month>{_MONTH_NAMES}) (?P<day>\d{{1,2}}), (?P<year>\d{{4}}) (?P<hour>\d{{1,2}}):(?P<minute>\d\d) (?P<half>AM|PM)",
        r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)T(?P<hour>\d\d):(?P<minute>\d\d):00Z",
    )
)


def parse_dateline(line: str) -> datetime | None:
    """The moment a dateline written by ``format_dateline`` stands for; None for any other line."""
    for pattern in _DATELINES:
        found = pattern.fullmatch(line)
        if found:
            parts = found.groupdict()
            month = int(parts["month"]) if parts["month"].isdigit() else MONTHS.index(parts["month"]) + 1
            hour = int(parts["hour"])
            if parts.get("half"):
                hour = hour % 12 + (12 if parts["half"] == "PM" else 0)
            return datetime(int(parts["year"]), month, int(parts["day"]), hour, int(parts["minute"]))
    return None


def split_article(text: str) -> ParsedArticle:
    """Title, lede, body and date of a generated file (seed layout) or of a BBC file (no date)."""
    filled = [line.strip() for line in text.split("\n") if line.strip()]
    published = parse_dateline(filled[2]) if len(filled) > 2 else None
    if published is not None:
        return ParsedArticle(filled[0], filled[1], tuple(filled[3:]), published)
    return ParsedArticle(filled[0], filled[1] if len(filled) > 1 else "", tuple(filled[2:]), None)


#: New words by the 100,000th article, and the exponent of their growth (see the module's docstring).
NEW_WORDS_AT = 200_000
NEW_WORDS_EXPONENT = 0.6
#: Share of the proper names (capitalised words within a sentence) that become invented ones.
RENAMED_SHARE = 0.4
#: Share of the numbers whose digits are drawn anew.
RENUMBERED_SHARE = 0.5
_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{2,}\b")
_NUMBER = re.compile(r"\b\d+\b")
_ONSETS = ("b", "br", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "kr", "l", "m", "n", "p", "r", "s", "sh",
           "st", "t", "tr", "v", "w", "z")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ie", "ou")
_ENDINGS = ("", "", "n", "r", "s", "ll", "nd", "rk", "ton", "ski", "ez", "ova", "berg", "ford", "ham", "ić")


class NewWords:
    """Invented names, more of them the more articles there are (Heaps' law), reused as often as used before."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.known: set[str] = set()
        self.uses: list[str] = []  # one entry per use: drawing from it favours the names used most
        self.owed = 0  # new names due but not yet placed (an article had too few names to replace)

    def _invent(self) -> str:
        rng = self.rng
        while True:
            syllables = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(1, 3)))
            word = (syllables + rng.choice(_ENDINGS)).capitalize()
            if len(word) > 3 and word not in self.known:
                self.known.add(word)
                return word

    def rewrite(self, number: int, lines: list[str]) -> list[str]:
        """The lines with some names and numbers replaced; the names new by article ``number`` come first."""
        rng = self.rng
        due = int(NEW_WORDS_AT * ((number + 1) / 100_000) ** NEW_WORDS_EXPONENT)
        self.owed += due - int(NEW_WORDS_AT * (number / 100_000) ** NEW_WORDS_EXPONENT)

        def name(_found: re.Match[str]) -> str:
            if rng.random() >= RENAMED_SHARE:
                return _found.group()
            if self.owed > 0 or not self.uses:
                self.owed = max(0, self.owed - 1)
                word = self._invent()
            else:
                word = rng.choice(self.uses)
            self.uses.append(word)
            return word

        def digits(found: re.Match[str]) -> str:
            width = len(found.group())
            if rng.random() >= RENUMBERED_SHARE or width > 6:
                return found.group()
            return str(rng.randrange(10 ** (width - 1) if width > 1 else 0, 10**width))

        return [_NUMBER.sub(digits, _NAME.sub(name, line)) for line in lines]


def compose_article(rng: random.Random, pool: _TopicPool, new_words: NewWords | None = None, number: int = 0) -> str:
    """One article's text in the seed layout, drawn from one topic's pool (names renewed by ``new_words``)."""
    minutes = int((LAST_MOMENT - FIRST_MOMENT).total_seconds() // 60)
    moment = FIRST_MOMENT + timedelta(minutes=rng.randrange(minutes + 1))
    body = rng.choices(pool.paragraphs, k=max(1, rng.choice(pool.lengths)))
    text = [rng.choice(pool.titles), rng.choice(pool.ledes), *body]
    if new_words is not None:
        text = new_words.rewrite(number, text)
    lines = [text[0], text[1], format_dateline(moment, rng.randrange(3)), *text[2:]]
    return "\n".join(lines) + "\n"


def article_path(root: Path, number: int) -> Path:
    return root / f"{number // FILES_PER_FOLDER:03d}" / f"{number:06d}.txt"


def write_corpus(
    out: Path,
    count: int,
    *,
    seed: int = DEFAULT_SEED,
    source: Path = DEFAULT_SOURCE,
    duplicate_share: float = DEFAULT_DUPLICATE_SHARE,
) -> CorpusManifest:
    """Write ``count`` article files under ``out`` (which must be empty or absent)."""
    started = time.perf_counter()
    pools: dict[str, _TopicPool] = defaultdict(_TopicPool)
    articles = read_source(source)
    for article in articles:
        pools[article.topic].add(article)
    # Topics come up as often as in the source.
    topics = [article.topic for article in articles]
    rng = random.Random(seed)
    new_words = NewWords(random.Random(f"{seed}-words"))
    duplicates = total_bytes = 0
    for number in range(count):
        path = article_path(out, number)
        if number % FILES_PER_FOLDER == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        if number and rng.random() < duplicate_share:
            shutil.copyfile(article_path(out, rng.randrange(number)), path)
            duplicates += 1
        else:
            path.write_bytes(compose_article(rng, pools[rng.choice(topics)], new_words, number).encode("utf-8"))
        total_bytes += path.stat().st_size
    manifest = CorpusManifest(
        articles=count,
        duplicates=duplicates,
        seed=seed,
        duplicate_share=duplicate_share,
        source=str(source),
        bytes=total_bytes,
        seconds=round(time.perf_counter() - started, 3),
    )
    (out / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(out: Path) -> dict | None:  # type: ignore[type-arg]
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ensure_corpus(
    out: Path, count: int, *, seed: int = DEFAULT_SEED, source: Path = DEFAULT_SOURCE,
    duplicate_share: float = DEFAULT_DUPLICATE_SHARE,
) -> dict:  # type: ignore[type-arg]
    """The corpus at ``out``, kept when its manifest matches, else made anew."""
    manifest = read_manifest(out)
    wanted = {"articles": count, "seed": seed, "duplicate_share": duplicate_share, "maker_version": MAKER_VERSION}
    if manifest and all(manifest.get(key) == value for key, value in wanted.items()):
        return manifest
    clear_corpus(out)
    return asdict(write_corpus(out, count, seed=seed, source=source, duplicate_share=duplicate_share))


def clear_corpus(out: Path) -> None:
    """Remove a corpus folder, but only one this script made (it has a manifest)."""
    if not out.exists():
        return
    if not (out / MANIFEST).exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty and holds no {MANIFEST}: not removing it")
    shutil.rmtree(out)


def parse_count(text: str) -> int:
    """``20000``, ``20,000``, ``20_000`` or ``20k``."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write N realistic articles in the seed layout (title, lede, dateline, paragraphs) "
        "by recombining the BBC News dataset. Deterministic for a given --seed.",
        epilog="Example: python benchmarks/make_corpus.py benchmarks/work/corpora/20000 --count 20000",
    )
    parser.add_argument("out", type=Path, help="folder to write (absent, empty, or a corpus made by this script)")
    parser.add_argument("--count", type=parse_count, required=True, help="number of article files (20000 or 20k)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument(
        "--duplicates", type=float, default=DEFAULT_DUPLICATE_SHARE,
        help=f"share of files that copy an earlier one byte for byte (default {DEFAULT_DUPLICATE_SHARE})",
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help=f"the BBC set (default {DEFAULT_SOURCE})")
    parser.add_argument("--force", action="store_true", help="replace a corpus this script made earlier at OUT")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.force:
        clear_corpus(args.out)
    elif args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty (use --force to replace a corpus made by this script)", file=sys.stderr)
        return 2
    manifest = write_corpus(args.out, args.count, seed=args.seed, source=args.source, duplicate_share=args.duplicates)
    print(
        f"wrote {manifest.articles} articles ({manifest.duplicates} duplicates, "
        f"{manifest.bytes / 1e6:.1f} MB) to {args.out} in {manifest.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
