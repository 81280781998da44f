"""Recognise a dateline: a line of an article that is, as a whole, its date.

Our own strict patterns decide *whether* a line is a dateline; only then does
dateutil (never in fuzzy mode) say what date it means. Fuzzy parsing would find
a date in "Top 10 films of 2004" or "May the best team win".

An article in another language may also write its dateline in that language
("10 ноября 2024 г., 09:13", "Publié le 10 novembre 2024 à 09h13"). Its month
and weekday names, the order of a date's parts and the separator of its
numeric dates come from CLDR through Babel (every language CLDR has, built
once per language); the few words around a date that CLDR lacks are in
datewords.py. The whole-line rule is the same, and today's English forms are
read first, so an English or ISO dateline in such an article still counts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from newsarchive.periods import offset_minutes
from newsarchive.reading import datewords
from newsarchive.reading.draft import DatePrecision, PublishedDate

if TYPE_CHECKING:
    from babel import Locale

# "Published", "Published:", "Published on", "First published", "Posted on",
# "Last updated:", "Date:" ... The prefix is dropped from PublishedDate.text.
_PREFIX = re.compile(
    r"(?:(?:first\s+)?published|posted|(?:last\s+)?updated|(?:last\s+)?modified|date)"
    r"(?:\s+(?:on|at))?(?:\s*:\s*|\s+)",
    re.IGNORECASE,
)

_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"
)
_MONTH = (
    r"(?P<month>january|february|march|april|may|june|july|august|september|october"
    r"|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
# 09:13, 9:13:05, 09.13 (Guardian style), 9:13 am, 9:13 a.m., 9:13PM
_TIME = (
    r"(?P<hour>[0-2]?\d)[:.](?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d)(?:\.\d+)?)?"
    r"(?:\s*(?P<ampm>[ap])\.?\s*m\.?)?"
)
# Named zones are checked against _ZONES after matching; offsets are parsed here.
_ZONE = (
    r"(?:\s*\(?(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)\)?"
    r"|\s*\(?(?:UTC|GMT)(?P<gmt_offset>[+-]\d{1,2}(?::?\d{2})?)\)?"
    r"|\s+\(?(?P<zone>[A-Z]{1,5})\)?)?"
)
# Between a date and its time: "2024, 09:13", "2024 09:13", "2024 at 9:13", "2024 | 09:13".
_DATE_TIME_SEP = r"(?:\s*[,|–—-]\s*|\s+)(?:at\s+)?"
_LEAD_WEEKDAY = rf"(?:{_WEEKDAY},?\s+)?"

_DAY_MONTH_YEAR = rf"(?P<date>{_LEAD_WEEKDAY}{_DAY}\s+{_MONTH},?\s+{_YEAR})"
_MONTH_DAY_YEAR = rf"(?P<date>{_LEAD_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR})"
_ISO_DATE = r"(?P<date>(?P<year>\d{4})-(?P<month>[01]\d)-(?P<day>[0-3]\d))"
_ISO_TIME = r"(?P<hour>[0-2]\d):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d)(?:[.,]\d+)?)?"

_FORMS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # 10 November 2024 09:13 | Sun, 10 Nov 2024 09:13:00 +0000 (RFC 2822)
        rf"{_DAY_MONTH_YEAR}(?:{_DATE_TIME_SEP}{_TIME}{_ZONE})?",
        # November 10, 2024 9:13 AM | Nov. 10, 2024, 9:13 a.m. ET
        rf"{_MONTH_DAY_YEAR}(?:{_DATE_TIME_SEP}{_TIME}{_ZONE})?",
        # 09:13 GMT, Sunday 10 November 2024
        rf"{_TIME}{_ZONE}\s*,?\s+{_DAY_MONTH_YEAR}",
        # 2024-11-10 | 2024-11-10T09:13:05.123+0100 | 2024-11-10 09:13 UTC
        rf"{_ISO_DATE}(?:(?:T|\s+){_ISO_TIME}{_ZONE})?",
    )
)

# Zone abbreviations news sites print. ET/PT/CT/MT name the zone, not the
# season, so they follow daylight saving; the others are fixed offsets.
_ZONES: dict[str, str | int] = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1,
    "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}  # fmt: skip


def parse_dateline(line: str, default_tz: tzinfo = UTC, language: str | None = None) -> PublishedDate | None:
    """The date a dateline gives, or None if the line is not a dateline.

    ``language`` is the article's (ISO 639-1); the line is read in English
    when it is None or "und".

    A naive time is read in ``default_tz``; a date without a time is the start
    of that day there. ``at`` is returned in UTC, without fractions of a second
    (the precision is "second" at most); ``text`` is the line, stripped, without
    a "Published"-style prefix; ``offset`` is that of the zone the line names,
    else of ``default_tz`` at that moment, and None when neither names one
    (no zone written, ``default_tz`` UTC).
    """
    text = line.strip()
    prefix = _PREFIX.match(text)
    if prefix is not None:
        text = text[prefix.end() :]
    for form in _FORMS:
        match = form.fullmatch(text)
        if match is not None:
            return _interpret(match, text, default_tz)
    grammar = _grammar(_base_language(language)) if language else None
    return None if grammar is None else _parse_in(grammar, line, default_tz)


def find_dateline(
    lines: Sequence[str],
    default_tz: tzinfo = UTC,
    *,
    start: int = 0,
    window: int = 6,
    language: str | None = None,
) -> tuple[int, PublishedDate] | None:
    """Index and date of the first dateline among ``window`` non-empty lines from ``start``."""
    seen = 0
    for index in range(start, len(lines)):
        if not lines[index].strip():
            continue
        if seen == window:
            break
        seen += 1
        published = parse_dateline(lines[index], default_tz, language)
        if published is not None:
            return index, published
    return None


def find_agreed_dateline(
    lines: Sequence[str], default_tz: tzinfo = UTC, *, start: int = 0, window: int = 6, languages: Sequence[str] = ()
) -> tuple[int, PublishedDate] | None:
    """The dateline ``find_dateline`` finds in each of ``languages`` that finds one, when they agree on
    it (the same line, the same date); else None. For an article whose language cannot be told but
    whose letters leave only these: a date is taken only where no reading of them disagrees."""
    found = {
        dateline
        for language in languages
        if (dateline := find_dateline(lines, default_tz, start=start, window=window, language=language)) is not None
    }
    return found.pop() if len(found) == 1 else None


def _interpret(match: re.Match[str], text: str, default_tz: tzinfo) -> PublishedDate | None:
    groups = match.groupdict()
    zone = _zone(groups, default_tz)
    if zone is None:
        return None
    hour, minute, second, ampm = (groups.get(k) for k in ("hour", "minute", "second", "ampm"))
    if hour is not None and ampm is not None and not 1 <= int(hour) <= 12:
        return None
    # dateutil reads the date as written (month names, weekday); the time we
    # hand over in one spelling it cannot misread (not "09.13" or "a.m.").
    wording = groups["date"]
    if hour is not None:
        wording += f" {hour}:{minute}:{second or '00'}" + (f" {ampm.upper()}M" if ampm else "")
    try:
        parsed = dateutil_parser.parse(wording, default=datetime(1900, 1, 1))
    except (dateutil_parser.ParserError, ValueError, OverflowError):
        return None  # e.g. 31 February
    # dateutil must read the numbers our pattern saw; if not, the line is odd.
    if parsed.year != int(groups["year"]) or parsed.day != int(groups["day"]):
        return None
    return _published(parsed, zone, groups, text, default_tz)


def _published(
    parsed: datetime, zone: tzinfo, groups: Mapping[str, str | None], text: str, default_tz: tzinfo
) -> PublishedDate | None:
    """The date a matched line gives, read on the clock of ``zone``."""
    second = groups.get("second")
    precision: DatePrecision = "day" if groups.get("hour") is None else "second" if second else "minute"
    written = parsed.replace(tzinfo=zone)
    try:
        at = written.astimezone(UTC)
    except OverflowError:
        return None  # a date at the very edge of the calendar, e.g. year 1 in UTC+14
    named = any(groups.get(name) for name in ("offset", "gmt_offset", "zone"))
    offset = offset_minutes(written) if named or not _is_utc(default_tz) else None
    return PublishedDate(at=at, text=text, precision=precision, offset=offset)


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})


def _is_utc(zone: tzinfo) -> bool:
    """UTC itself (not a zone that is at +00:00 now and then, such as Europe/London)."""
    return zone is UTC or str(zone) in _UTC_NAMES


def _zone(
    groups: Mapping[str, str | None], default_tz: tzinfo, zones: Mapping[str, str | int] = _ZONES
) -> tzinfo | None:
    """The zone the line names, ``default_tz`` if none, None if we do not know it."""
    offset = groups.get("offset") or groups.get("gmt_offset")
    if offset is not None:
        return _fixed_offset(offset)
    name = groups.get("zone")
    if name is None:
        return default_tz
    known = zones.get(name.upper())
    if known is None:
        return None
    if isinstance(known, str):
        return ZoneInfo(known)
    return timezone(timedelta(hours=known))


def _fixed_offset(offset: str) -> tzinfo | None:
    if offset.upper() == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 14 or minutes >= 60:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# -- datelines in the article's language (CLDR through Babel) ------------------

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_LETTERS = r"[^\W\d_]"
_WORD = re.compile(rf"{_LETTERS}+")
_DATE_TIME_SEP_ANY = r"(?:\s*[,|/–—·•-]\s*|\s+)"
_ENGLISH_WEEKDAYS = ("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")


@dataclass(frozen=True)
class _Grammar:
    """One language's datelines: its prefixes, whole-line forms and names."""

    prefix: re.Pattern[str] | None
    forms: tuple[re.Pattern[str], ...]
    months: Mapping[str, int]  # folded name, abbreviation or unique start -> 1..12
    weekdays: frozenset[str]  # folded names
    zones: Mapping[str, str | int]


def _base_language(language: str) -> str | None:
    """The language's base code ("pt-BR" -> "pt"); None for English and undetermined (today's forms alone)."""
    base = language.replace("_", "-").split("-")[0].lower()
    return None if base in {"", "en", "und"} else base


#: An apostrophe inside a word, as typed (', ’) or as CLDR spells it (the letter ʼ): Ukrainian "пʼятниця".
_APOSTROPHE = re.compile(r"(?<=\w)['‘’ʼ](?=\w)")


def _fold(word: str) -> str:
    """A name as we compare it: case folded, without a closing dot, Turkish dotless i as i, one apostrophe."""
    return _APOSTROPHE.sub("ʼ", word.casefold().replace("ı", "i").replace("\u0307", "").rstrip("."))


def _parse_in(grammar: _Grammar, line: str, default_tz: tzinfo) -> PublishedDate | None:
    written = _SPACES.sub(" ", unicodedata.normalize("NFC", line)).strip()
    # Matched with each apostrophe as a letter, so that a name with one is one word (character for character).
    text = _APOSTROPHE.sub("ʼ", written)
    prefix = _PREFIX.match(text) or (grammar.prefix.match(text) if grammar.prefix else None)
    if prefix is not None:
        text, written = text[prefix.end() :], written[prefix.end() :]
    published = _whole_date(grammar, text, written, default_tz)
    if published is None and (updated := _update(grammar, text)) is not None:
        # "Publié le 10 novembre 2024 à 09h13, modifié le 10 novembre 2024 à 11h02": both dates, the first counts.
        first, second = updated
        if _whole_date(grammar, second, second, default_tz) is not None:
            published = _whole_date(grammar, text[:first], written[:first], default_tz)
    return published


def _whole_date(grammar: _Grammar, text: str, written: str, default_tz: tzinfo) -> PublishedDate | None:
    """The date ``text`` is as a whole, in one of the grammar's forms (``written`` is its text as written)."""
    for form in grammar.forms:
        match = form.fullmatch(text)
        published = None if match is None else _interpret_in(grammar, match, written, default_tz)
        if published is not None:
            return published
    return None


_BEFORE_UPDATE = re.compile(r"\s*[,;(|·–—]\s*")


def _update(grammar: _Grammar, text: str) -> tuple[int, str] | None:
    """Where a line's second date, an update's, begins ("…, modifié le …", "… (обновлено: …)"): the end of
    the first date and the second date's text; None when the line has no such part."""
    if grammar.prefix is None:
        return None
    for separator in _BEFORE_UPDATE.finditer(text):
        rest = text[separator.end() :]
        word = grammar.prefix.match(rest)
        if word is not None:
            second = rest[word.end() :]
            if separator.group().strip() == "(":
                if not second.endswith(")"):
                    return None
                second = second[:-1].strip()
            return separator.start(), second
    return None


def _interpret_in(grammar: _Grammar, match: re.Match[str], text: str, default_tz: tzinfo) -> PublishedDate | None:
    groups = match.groupdict()
    for weekday in (groups.get("weekday"), groups.get("weekday_after")):
        if weekday is not None and _fold(weekday) not in grammar.weekdays:
            return None  # a word before the date that is no weekday: "Путин 10 ноября 2024"
    name = groups.get("month")
    month = grammar.months.get(_fold(name)) if name is not None else int(groups["month_num"] or 0)
    zone = _zone(groups, default_tz, grammar.zones)
    if month is None or zone is None:
        return None
    if groups.get("seconds") is not None:
        groups["second"] = groups["seconds"]
    hour = _hour(int(groups.get("hour") or 0), groups.get("noon"))
    try:
        # The weekday is not checked against the date, as in English.
        parsed = datetime(
            int(groups["year"] or 0), month, int(groups["day"] or 0),
            hour, int(groups.get("minute") or 0), int(groups.get("second") or 0),
        )  # fmt: skip
    except ValueError:
        return None  # 31 февраля, 25:00, 午後13時
    return _published(parsed, zone, groups, text, default_tz)


def _hour(hour: int, noon: str | None) -> int:
    """The hour on a 24-hour clock; 24 (refused) for an hour a word before or after noon cannot have."""
    if noon is None:
        return hour
    if not 1 <= hour <= 12:
        return 24
    return hour % 12 + (12 if datewords.NOON_WORDS[noon] == "pm" else 0)


@cache
def _grammar(language: str | None) -> _Grammar | None:
    """The dateline grammar of a language Babel knows, built once; None for English or unknown."""
    if language is None:
        return None
    from babel import Locale, UnknownLocaleError
    from babel import dates as cldr

    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return None
    months = _month_table(locale, datewords.EXTRA_MONTHS.get(language, {}))
    time_words = language in datewords.TIME_WORDS
    weekdays = _weekday_names(locale, shortest=1 if time_words else 2)
    pieces = _Pieces(
        month_word=rf"(?P<month>{_name_pattern(months)}\.?)",
        # (Spelt out where a weekday after the date could take a word before noon: 日曜日, not 午前.)
        weekday_word=_alternatives(tuple(weekdays)) if time_words else _name_pattern(weekdays),
        year_words=datewords.YEAR_WORDS.get(language, ()),
        hour_letter=language in datewords.HOUR_LETTER,
        connectors=datewords.TIME_CONNECTORS.get(language, ()),
        time_suffixes=datewords.TIME_SUFFIXES.get(language, ()),
        time_words=time_words,
    )
    long, full, short = (cldr.get_date_format(length, locale).pattern for length in ("long", "full", "short"))
    dates = [date for date in (_word_date(long, full, pieces), _numeric_date(short, pieces)) if date is not None]
    zones = {**_ZONES, **datewords.ZONES}
    time = pieces.time() + _zone_pattern(zones)
    forms = []
    # (Chinese and Japanese may write the time straight after the day: 2024年11月10日09:13.)
    separator = f"(?:{_DATE_TIME_SEP_ANY})?" if pieces.time_words else _DATE_TIME_SEP_ANY
    for date in dates:
        forms.append(rf"{date}(?:{separator}{pieces.connector()}{time})?")
        forms.append(rf"{time}{_DATE_TIME_SEP_ANY}{date}")
    prefixes = datewords.PREFIXES.get(language, ())
    prefix = None
    if prefixes:
        alternatives = "|".join(_literal(p) for p in sorted(prefixes, key=len, reverse=True))
        prefix = re.compile(rf"(?:{alternatives})(?:\s*:\s*|\s+)", re.IGNORECASE)
    return _Grammar(
        prefix=prefix,
        forms=tuple(re.compile(form, re.IGNORECASE) for form in forms),
        months=months,
        weekdays=weekdays,
        zones=zones,
    )


def _zone_pattern(zones: Mapping[str, str | int]) -> str:
    """An offset, or a zone word (checked against ``zones`` once matched); zone names of several words spelt out."""
    phrases = [name for name in zones if " " in name]
    named = "|".join([*(_literal(name) for name in sorted(phrases, key=len, reverse=True)), rf"{_LETTERS}{{1,5}}"])
    return (
        r"(?:\s*\(?(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)\)?"
        r"|\s*\(?(?:UTC|GMT)(?P<gmt_offset>[+-]\d{1,2}(?::?\d{2})?)\)?"
        rf"|\s+\(?(?P<zone>{named})\)?)?"
    )


@dataclass(frozen=True)
class _Pieces:
    """Regular-expression pieces of one language, from which its whole-line forms are put together."""

    month_word: str
    weekday_word: str
    year_words: tuple[str, ...]
    hour_letter: bool
    connectors: tuple[str, ...]
    time_suffixes: tuple[str, ...]
    #: Chinese, Japanese, Korean: hours and minutes may be words (9時13分), with a word for before or after noon.
    time_words: bool = False

    @property
    def weekday(self) -> str:
        """A weekday before the date: "понедельник, ", "Вс. ", Arabic "الأحد، "."""
        return rf"(?P<weekday>{self.weekday_word})\.?[,،]?\s+"

    def time(self) -> str:
        """24-hour time: 09:13, 9.13, 09:13:05, French 09h13, German 09:13 Uhr, Japanese 午後3時13分."""
        if self.time_words:
            noon = _alternatives(tuple(datewords.NOON_WORDS))
            return (
                rf"(?:(?P<noon>{noon})\s?)?(?P<hour>[0-2]?\d)(?:[:.]|\s?[時时點点시]\s?)(?P<minute>[0-5]?\d)"
                r"(?:\s?[分분](?:\s?(?P<second>[0-5]?\d)\s?[秒초])?|:(?P<seconds>[0-5]\d))?"
            )
        between = r"(?:[:.]|\s?h\s?)" if self.hour_letter else r"[:.]"
        time = rf"(?P<hour>[0-2]?\d){between}(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?"
        if self.time_suffixes:
            time += rf"(?:\s*(?:{_alternatives(self.time_suffixes)}))?"
        return time

    def connector(self) -> str:
        """The word between a date and its time, if any: "в", "um", "à", "a las"."""
        return rf"(?:(?:{_alternatives(('at', *self.connectors))})\s+)?"


def _name_pattern(names: Iterable[str]) -> str:
    """Any run of letters (checked against the names once matched), or a name that is no such run spelt out.

    Names of several words ("de novembre", "Dé Domhnaigh") or with vowel signs that
    are not letters to ``re`` (Hindi, Tamil) must be spelt out to be matched at all.
    """
    spelt = sorted((name for name in names if not _WORD.fullmatch(name)), key=len, reverse=True)
    return "(?:" + "|".join([*map(_literal, spelt), rf"{_LETTERS}+"]) + ")"


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(_literal(word) for word in sorted(words, key=len, reverse=True))


def _literal(word: str) -> str:
    """A word as a pattern: any run of spaces for a space, the dot closing an abbreviation optional."""
    core = word.strip()
    dot = len(core) > 1 and core.endswith(".") and any(ch.isalpha() for ch in core)
    if dot:
        core = core[:-1]
    return r"\s+".join(re.escape(part) for part in core.split()) + (r"\.?" if dot else "")


def _cldr_tokens(pattern: str) -> list[tuple[str, str]]:
    """A CLDR date pattern as (field letter, text) pairs; the letter is "" for literal text."""
    tokens: list[tuple[str, str]] = []
    literal = ""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "'":
            end = pattern.find("'", index + 1)
            end = len(pattern) if end < 0 else end
            literal += pattern[index + 1 : end] if end > index + 1 else "'"
            index = end + 1
        elif char.isascii() and char.isalpha():
            end = index
            while end < len(pattern) and pattern[end] == char:
                end += 1
            if literal:
                tokens.append(("", literal))
                literal = ""
            tokens.append((char, pattern[index:end]))
            index = end
        else:
            literal += char
            index += 1
    if literal:
        tokens.append(("", literal))
    return tokens


def _field(letter: str, text: str, pieces: _Pieces) -> str | None:
    """The pattern of one date field; years always have four digits (never "24")."""
    if letter == "d":
        return r"(?P<day>[0-3]?\d)(?:er|º|°)?"  # the first of the month: French "1er", Spanish "1º"
    if letter in "ML":
        return pieces.month_word if len(text) >= 3 else r"(?P<month_num>[01]?\d)"
    if letter == "y":
        return r"(?P<year>\d{4})"
    return None


def _date_pattern(tokens: list[tuple[str, str]], pieces: _Pieces) -> str | None:
    """A date as CLDR orders it; literal words between its fields optional where spaces surround them."""
    fields = [letter for letter, _ in tokens if letter]
    if sorted(fields) not in (["L", "d", "y"], ["M", "d", "y"]):
        return None
    parts = []
    positions = [index for index, (letter, _) in enumerate(tokens) if letter]
    first, last = positions[0], positions[-1]
    for index, (letter, text) in enumerate(tokens):
        if letter:
            field = _field(letter, text, pieces)
            if field is None:
                return None
            parts.append(field)
        elif index < first:
            parts.append(rf"(?:{_literal(text)}\s*)?")
        elif index < last:
            parts.append(_between(text))
    trailing = tokens[last + 1][1] if last + 1 < len(tokens) else ""
    parts.append(_after(trailing, pieces.year_words if tokens[last][0] == "y" else ()))
    return "".join(parts)


def _between(literal: str) -> str:
    core = literal.strip()
    if not core:
        return r"\s+" if literal else r"\s*"
    if not any(ch.isspace() for ch in literal):
        return rf"\s*{_literal(core)}\s*"  # 2024年11月: the word is the only separator
    if any(ch.isalpha() for ch in core):
        # 10 de noviembre | 10 noviembre; 2024년 11월 | 2024 11월; Hebrew 10 בנובמבר
        before = r"\s+" if literal[0].isspace() else ""
        after = r"\s+" if literal[-1].isspace() else ""
        return rf"(?:{before}{_literal(core)}{after}|\s+)"
    return rf"(?:\s*{_literal(core)}\s*|\s+)"  # 10. November, 10 November


def _after(literal: str, year_words: Sequence[str]) -> str:
    core = literal.strip()
    words = [*([core] if core else []), *year_words]
    if not words:
        return ""
    required = core and not any(ch.isspace() for ch in literal) and any(ch.isalpha() for ch in core)
    return rf"\s*(?:{_alternatives(words)})" if required else rf"(?:\s*(?:{_alternatives(words)}))?"


def _word_date(long: str, full: str, pieces: _Pieces) -> str | None:
    """The language's written date ("10 ноября 2024 г."), from CLDR's long pattern, with an optional weekday."""
    date = _date_pattern(_cldr_tokens(long), pieces)
    if date is None:
        return None
    tokens = _cldr_tokens(full)
    fields = [letter for letter, _ in tokens if letter]
    if fields and fields[-1] in "Ec":
        # (Japanese and Chinese put it in brackets: 2024年11月10日(日).)
        after = rf"(?P<weekday_after>{pieces.weekday_word})\.?"
        return rf"(?:{pieces.weekday})?{date}(?:\s*[,،]?\s*[(（]?{after}[)）]?)?"
    # A word CLDR puts between a leading weekday and the day: Danish "søndag den 10. november".
    between = tokens[1][1].strip(" ,،\u00a0") if len(tokens) > 2 and tokens[0][0] in "Ec" and not tokens[1][0] else ""
    word = rf"(?:{_literal(between)}\s+)?" if between else ""
    return rf"(?:{pieces.weekday}{word})?{date}"


def _numeric_date(short: str, pieces: _Pieces) -> str | None:
    """The language's numeric date (10.11.2024) if it puts the day or the year first; never month first."""
    tokens = _cldr_tokens(short)
    fields = [(letter, text) for letter, text in tokens if letter]
    if [letter for letter, _ in fields] not in (["d", "M", "y"], ["y", "M", "d"]) or len(fields[1][1]) > 2:
        return None
    parts = []
    for index, (letter, text) in enumerate(tokens):
        if letter:
            parts.append(_field(letter, text, pieces) or "")
        elif 0 < index < len(tokens) - 1:
            separator = text.strip()
            if not separator or separator.isalpha():
                return None
            # Czech and Slovak also print "10. 11. 2024".
            parts.append(re.escape(separator) + (r"\s*" if separator != text else " ?" if separator == "." else ""))
        elif index == 0:
            return None
    trailing = tokens[-1][1] if not tokens[-1][0] else ""
    parts.append(_after(trailing, pieces.year_words if fields[-1][0] == "y" else ()))
    return rf"(?:{pieces.weekday})?" + "".join(parts)


def _month_table(locale: Locale, extra: Mapping[str, int]) -> dict[str, int]:
    """Month by folded name: the language's CLDR names in every width and context, English, unique starts."""
    from babel import dates

    def names(language: Locale | str, widths: tuple[str, ...]) -> dict[str, int]:
        return {
            _fold(name): number
            for width in widths
            for context in ("format", "stand-alone")
            for number, name in dates.get_month_names(width, context, language).items()  # type: ignore[arg-type]
        }

    own = names(locale, ("wide", "abbreviated"))
    english = {**names("en", ("wide", "abbreviated")), "sept": 9}
    starts: dict[str, set[int]] = {}
    for name, number in names(locale, ("wide",)).items():
        if not _WORD.fullmatch(name):
            continue  # Catalan "de novembre": its starts would be "de n", "de no" ...
        for end in range(3, len(name)):
            starts.setdefault(name[:end], set()).add(number)
    unique = {start: numbers.pop() for start, numbers in starts.items() if len(numbers) == 1}
    return {**unique, **english, **own, **{_fold(name): number for name, number in extra.items()}}


def _weekday_names(locale: Locale, shortest: int = 2) -> frozenset[str]:
    """Weekday names of the language and of English, folded, in every width and context, and their starts."""
    from babel import dates

    found = set(_ENGLISH_WEEKDAYS)
    for language in (locale, "en"):
        for width in ("wide", "abbreviated", "short"):
            for context in ("format", "stand-alone"):
                for name in dates.get_day_names(width, context, language).values():
                    found.add(_fold(name))
                    if width == "wide" and _WORD.fullmatch(name):
                        found.update(_fold(name)[:end] for end in range(3, len(name)))
    return frozenset(name for name in found if len(name) >= shortest)
