"""Words newsrooms print around a date that no CLDR field holds.

Month and weekday names, the order of a date's parts and the separator of a
numeric date come from CLDR through Babel (see dateline.py). CLDR has no
"Published:" line, no "at" between a date and a time (Babel does not expose
CLDR's atTime patterns), no full year words ("года", only "г."), no French
"09h13" and no Moscow time "МСК"; those few are kept here, by language
(ISO 639-1). Matching ignores case.
A language missing here still has its CLDR names and orders.
"""

from __future__ import annotations

#: Lines start with one of these before the date ("Опубликовано: 10 ноября 2024").
PREFIXES: dict[str, tuple[str, ...]] = {
    "ru": ("опубликовано", "обновлено", "дата публикации", "дата обновления", "дата"),
    "uk": ("опубліковано", "оновлено", "дата публікації", "дата оновлення", "дата"),
    "be": ("апублікавана", "абноўлена", "дата"),
    "de": (
        "veröffentlicht am", "veröffentlicht", "aktualisiert am", "aktualisiert",
        "zuletzt aktualisiert am", "zuletzt aktualisiert", "erschienen am", "stand", "datum",
    ),
    "fr": ("publié le", "publié", "mis à jour le", "mis à jour", "modifié le", "date"),
    "es": ("publicado el", "publicado", "actualizado el", "actualizado", "fecha"),
    "pt": ("publicado em", "publicado", "atualizado em", "atualizado", "data"),
    "it": ("pubblicato il", "pubblicato", "aggiornato il", "aggiornato", "data"),
    "pl": ("opublikowano", "aktualizacja", "zaktualizowano", "data publikacji", "data"),
    "cs": ("publikováno", "aktualizováno", "datum"),
    "nl": ("gepubliceerd op", "gepubliceerd", "bijgewerkt op", "bijgewerkt", "datum"),
    "sv": ("publicerad", "uppdaterad", "datum"),
    "tr": ("yayınlanma", "güncelleme", "tarih"),
}  # fmt: skip

#: Full words for "year" after the year ("2024 года"); CLDR gives only the abbreviation ("г.").
YEAR_WORDS: dict[str, tuple[str, ...]] = {
    "ru": ("г.", "года"),
    "uk": ("р.", "року"),
    "be": ("г.", "года"),
}

#: Words between a date and its time ("10 ноября 2024 в 09:13", "um 09:13 Uhr").
TIME_CONNECTORS: dict[str, tuple[str, ...]] = {
    "ru": ("в",),
    "uk": ("о", "об"),
    "be": ("у", "а"),
    "de": ("um",),
    "fr": ("à", "a"),
    "es": ("a las", "a la"),
    "pt": ("às", "as"),
    "it": ("alle ore", "alle", "ore"),
    "pl": ("o godz.", "godz.", "o"),
    "cs": ("v",),
    "nl": ("om",),
    "sv": ("kl.", "kl"),
}

#: Words after a time ("09:13 Uhr", "09:13 h").
TIME_SUFFIXES: dict[str, tuple[str, ...]] = {
    "de": ("uhr",),
    "es": ("horas", "h"),
    "pt": ("h",),
    "it": ("ore",),
}

#: Languages that may write hours and minutes as words ("9時13分", "9时13分", "9시 13분").
TIME_WORDS: frozenset[str] = frozenset({"ja", "zh", "ko"})
#: Words before a time that say before or after noon ("午後3時" is 15:00).
NOON_WORDS: dict[str, str] = {"午前": "am", "午後": "pm", "上午": "am", "下午": "pm", "오전": "am", "오후": "pm"}

#: Languages that write a time with "h" between hour and minute ("09h13").
HOUR_LETTER: frozenset[str] = frozenset({"fr", "pt"})

#: Month spellings newsrooms print that are neither a CLDR name nor a unique start of one.
EXTRA_MONTHS: dict[str, dict[str, int]] = {
    "es": {"setiembre": 9, "set": 9},  # Peru, Uruguay
}

#: Zone words beyond the English ones (a name, or hours east of UTC), in upper case.
ZONES: dict[str, str | int] = {
    "МСК": "Europe/Moscow",
    "ПО МОСКВЕ": "Europe/Moscow",
    "ПО МОСКОВСКОМУ ВРЕМЕНИ": "Europe/Moscow",
    "ЗА КИЇВСЬКИМ ЧАСОМ": "Europe/Kyiv",
    "ЗА КИЄВОМ": "Europe/Kyiv",
    "ПО КИЕВСКОМУ ВРЕМЕНИ": "Europe/Kyiv",
    "MEZ": 1,
    "MESZ": 2,
}
