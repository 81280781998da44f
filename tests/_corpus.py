"""Article-like documents made up from a seed, for the tests that hold the index's fast paths to Whoosh's own.

Words are drawn from a Zipf distribution (the few common words of news text
in most articles, a long tail of rare ones in one or two), as real text
draws them, so that posting lists come in every length: the one-posting
terms most words are, lists of a block or two, and lists of many blocks.
The articles have news phrases, stop words and words that stem alike
("election", "elections", "elected"), numbers, money, abbreviations and
hyphenated words as news text writes them, non-ASCII words in several scripts,
texts from a few words to several thousand, dates of day and month
precision and none, sources, authors, languages, and copies of earlier
articles (``duplicate_of``). The same seed gives the same articles.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

from newsarchive.engines.protocol import Document

#: Function words, most common first: the analyzer drops most of them, phrases keep their places.
STOP = "the of and to a in that is for on was it with he as at by from his be have has are an this not but".split()
#: News words, roughly most common first.
NEWS = """
said year people government also new would could market years first minister told last company time two
million prices economy growth shares oil election elections elected electing labour party tax bank
rates chief executive sales profit profits figures firm country world president economic plans public
report police court football club game win season music film awards technology mobile phone users
software internet security computer network players coach match team league cup champion record
europe european china chinese japan us british britain london paris berlin tokyo brussels moscow
trade deal talks negotiators negotiations peace war troops military attack health hospital doctors
schools education students teachers climate energy gas emissions kyoto reform vote voters campaign
leader leaders blair brown howard kennedy bush putin merkel spending budget deficit debt investors
analysts forecast quarter inflation interest jobs unemployment workers union strike industry
""".split()
#: Phrases put into texts now and then, so that phrase queries have matches.
PHRASES = [
    "prime minister",
    "chief executive",
    "economic growth",
    "interest rates",
    "also said",
    "chief executive officer",
    "general election",
    "oil prices",
    "world cup",
]
#: Words in other scripts and with accents: case folding, stemming and UTF-8 term bytes beyond ASCII.
FOREIGN = "café Zürich naïve São Paulo Gdańsk Kraków Ελλάδα Αθήνα Москва Кремль 北京 東京 façade résumé Müller Dvořák Ærø".split()
#: Tokens as news text writes them, put in now and then: numbers, money, abbreviations, apostrophes, hyphens.
WRITTEN = [
    "£3.5bn", "$1.13bn", "1,200", "76%", "2004", "3.14", "U.S.", "J.P.", "don't", "it's", "Smith's",
    "co-operation", "e-mail", "mid-2005", "(BBC)", '"quoted"', "3G", "mp3", "c++", "wild*card", "-", "&",
]  # fmt: skip
SOURCES = ["bbc", "reuters", "guardian", "lemonde", "spiegel", "nhk"]
AUTHORS = ["Jane Doe", "John Roe", "Ana Núñez", "Zoë Brontë", "Li Wei", "Olav Ærø", "Mary-Kate O'Neil"]
SYLLABLES = "ka to ri mu sen dal vor ith qua lex bru nim pe zo ran tel gos fi ur".split()
#: How steeply word frequency falls with rank (about 1 for English).
ZIPF = 1.05


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Words in order of how common they are: function words, news words, foreign ones, then made-up rare ones."""
    words = [*STOP, *NEWS]
    for word in FOREIGN:
        words.insert(rng.randrange(len(STOP), len(words)), word)
    made: set[str] = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in made:
            made.add(word)
            words.append(word)
    return words


class Writer:
    """Texts drawn from one Zipf vocabulary."""

    def __init__(self, rng: random.Random, size: int) -> None:
        self.rng = rng
        self.words = vocabulary(rng, size)
        self.cumulative = list(accumulate(1 / rank**ZIPF for rank in range(1, len(self.words) + 1)))

    def text(self, length: int) -> str:
        rng = self.rng
        words = rng.choices(self.words, cum_weights=self.cumulative, k=length)
        for _ in range(length // 60):  # a news phrase every sixty words or so
            at = rng.randrange(len(words) + 1)
            words[at:at] = rng.choice(PHRASES).split()
        for _ in range(length // 40):
            words.insert(rng.randrange(len(words) + 1), rng.choice(WRITTEN))
        sentences, at = [], 0
        while at < len(words):
            step = rng.randint(6, 24)
            sentence = " ".join(words[at : at + step])
            sentences.append(sentence[:1].upper() + sentence[1:] + rng.choice(".....?!"))
            at += step
        return " ".join(sentences)

    def length(self) -> int:
        """Words in a body: most a few hundred, some a handful, a few several thousand."""
        kind = self.rng.random()
        if kind < 0.1:
            return self.rng.randint(0, 12)
        if kind < 0.95:
            return int(self.rng.lognormvariate(5.5, 0.6))
        return self.rng.randint(2000, 5000)


def articles(count: int = 300, seed: int = 11) -> list[Document]:
    """``count`` made-up articles, the same for the same seed; about one in twelve is a copy of an earlier one."""
    rng = random.Random(seed)
    writer = Writer(rng, size=6000)
    start = datetime(2019, 1, 1)
    made: list[Document] = []
    for number in range(count):
        source = rng.choice(SOURCES)
        revision = rng.randint(1, 3)
        if made and rng.random() < 0.08:  # another source's copy of an earlier article
            original = rng.choice(made)
            made.append(
                Document(
                    id=f"{number:010x}",
                    title=original.title,
                    description=original.description,
                    body=original.body,
                    published=original.published,
                    precision=original.precision,
                    source=source,
                    revision=revision,
                    duplicate_of=original.duplicate_of or original.id,
                )
            )
            continue
        dated = rng.random()
        published = start + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60)) if dated < 0.9 else None
        precision = None if published is None else ("day" if dated < 0.2 else "month" if dated < 0.25 else "minute")
        if precision == "day" and published is not None:
            published = published.replace(hour=0, minute=0)
        made.append(
            Document(
                id=f"{number:010x}",
                title=writer.text(rng.randint(3, 12)).rstrip(".?!"),
                description=writer.text(rng.randint(0, 30)),
                body=writer.text(writer.length()),
                published=published,
                precision=precision,
                source=source,
                revision=revision,
                authors=tuple(rng.sample(AUTHORS, rng.choice((0, 1, 1, 2)))),
                language=rng.choice(("en", "en", "en", "fr", "de", None)),
                offset=rng.choice((None, 0, 60, -300, 330)) if published is not None else None,
            )
        )
    return made


def write_files(folder: Path, count: int, seed: int = 11) -> list[Path]:
    """``count`` made-up articles (no copies) as text files of a title line and paragraphs, as news sites save them."""
    written = []
    for doc in (doc for doc in articles(count * 2, seed) if doc.duplicate_of is None):
        if len(written) == count:
            break
        path = folder / f"{doc.id}.txt"
        sentences = doc.body.split(". ")
        paragraphs = [doc.description, *(". ".join(sentences[at : at + 6]) for at in range(0, len(sentences), 6))]
        path.write_text(doc.title + "\n\n" + "\n\n".join(part for part in paragraphs if part) + "\n", encoding="utf-8")
        written.append(path)
    return written
