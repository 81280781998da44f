"""Write a multilingual news corpus in the seed layout, with the truth about every file beside it.

Articles in Russian, Ukrainian, German, French, Spanish and English (and a few
in Chinese) are put together from hand-written sentence templates and
vocabularies: nouns and adjectives in several inflected forms (cases and
numbers), verbs in several tenses, so that a query in one form has another to
find. Each file is laid out like ``seeds/``: title line, lede line, dateline,
paragraphs. Datelines are in the forms the language's newsrooms print
(``10 ноября 2024 г., 09:13``, ``10.11.2024 09:13``, ``10. November 2024``,
``Publié le 10 novembre 2024 à 09h13``, ``10 de noviembre de 2024, 09:13``,
``10 листопада 2024 року, 09:13``, ``2024年11月10日 09:13``...), never with a
zone (read in UTC). A share of the files are in the legacy encodings of their
language: cp1251 and KOI8-R (Russian), cp1251 (Ukrainian), cp1252 (German,
French, Spanish, English) and ISO-8859-2 (German).

Every article holds one invented name of its own (its *anchor*) and records a
*probe*: a noun or adjective as it occurs in the article and another inflected
form of the same word that does not occur in it. ``anchor + other form`` is a
query only that article answers when inflected forms are matched;
``anchor + form as written`` is its control. The hidden ``.truth.jsonl``
holds, per file: language, encoding, title, dateline, the moment it stands for
(UTC, to the minute or the day), anchor and probe. The output depends only on
the count and the seed.

    python benchmarks/multilingual.py benchmarks/work/corpora/multi-5000 --count 5000 --seed 2024
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from make_corpus import DEFAULT_SEED, FIRST_MOMENT, LAST_MOMENT, MANIFEST, clear_corpus, format_dateline, read_manifest
from queries import Query, stop_words
from references import TABLE

#: Bump when the same seed would give other files, so that kept corpora are remade.
MAKER_VERSION = 1
TRUTH = ".truth.jsonl"
DEFAULT_COUNT = 5000
FILES_PER_FOLDER = 1000

# --- the languages ------------------------------------------------------------------
#
# Vocabulary: one line per word, its forms separated by spaces, in the same order for
# every word of a kind in a language (the templates name a form by its place: {n1} is
# a noun in its second form). ru/uk nouns: nom.sg gen.sg nom.pl gen.pl; adjectives:
# m.nom f.nom f.gen pl.nom. de nouns: nom.sg gen.sg nom.pl dat.pl; adjectives: -e -en
# -er -es. fr/es/en nouns: sg pl; fr/es adjectives: m.sg f.sg m.pl f.pl. Verbs: four
# forms each, as the templates use them. zh words have one form.


@dataclass(frozen=True)
class Language:
    code: str
    share: float  # of the articles
    encodings: tuple[tuple[str, float], ...]  # legacy encodings and their shares of this language's files
    nouns: tuple[tuple[str, ...], ...]
    adjectives: tuple[tuple[str, ...], ...]
    verbs: tuple[tuple[str, ...], ...]
    titles: tuple[str, ...]
    ledes: tuple[str, ...]
    sentences: tuple[str, ...]
    anchored: tuple[str, ...]  # sentences that carry the article's {name}
    name_parts: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # onset, middle, ending
    months: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = ()  # Monday first


def _words(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(line.split()) for line in text.strip().splitlines())


RU = Language(
    "ru", 0.25, (("cp1251", 0.1), ("koi8-r", 0.1)),
    nouns=_words("""
        правительство правительства правительства правительств
        министр министра министры министров
        соглашение соглашения соглашения соглашений
        решение решения решения решений
        компания компании компании компаний
        рынок рынка рынки рынков
        цена цены цены цен
        закон закона законы законов
        суд суда суды судов
        граница границы границы границ
        область области области областей
        город города города городов
        президент президента президенты президентов
        депутат депутата депутаты депутатов
        банк банка банки банков
        налог налога налоги налогов
        санкция санкции санкции санкций
        армия армии армии армий
        школа школы школы школ
        больница больницы больницы больниц
        переговорщик переговорщика переговорщики переговорщиков
        электростанция электростанции электростанции электростанций
    """),
    adjectives=_words("""
        курский курская курской курские
        новый новая новой новые
        местный местная местной местные
        федеральный федеральная федеральной федеральные
        экономический экономическая экономической экономические
        российский российская российской российские
        военный военная военной военные
        крупный крупная крупной крупные
    """),
    verbs=_words("""
        заявил заявили заявляет заявляют
        сообщил сообщили сообщает сообщают
        обсудил обсудили обсуждает обсуждают
        поддержал поддержали поддерживает поддерживают
        потребовал потребовали требует требуют
    """),
    titles=(
        "{n2} {v1} {n3} {a2} {n1}",
        "{a1} {n0} {v2} {n3}",
        "{n0} {v0}: {n3} {a2} {n1} станет больше на {num}",
    ),
    ledes=(
        "{n0} {v2}, что {n2} {a2} {n1} готовы к переговорам до конца года.",
        "По данным {a2} {n1}, {n3} в регионе стало на {num} больше, а {n0} {v2} новые меры.",
    ),
    sentences=(
        "{n2} {v1} о планах {n1} и {n3} {a2} {n1}.",
        "По словам {n1}, {a1} {n0} не будет мешать работе {n3}.",
        "Эксперты считают, что {n0} {v2} интересы {n3} и {n1}.",
        "В {num} году {n2} {a2} {n1} {v1} {n3} вместе с {n3}.",
        "Накануне {n0} {v0}, что решение {n1} принято без участия {n3}.",
        "Число {n3} выросло на {num} процентов, сообщают {n2}.",
        "Представители {n1} {v1} о поддержке {n3} {a2} {n1}.",
        "Как отмечают {n2}, {a1} {n0} остаётся главной темой для {n3}.",
        "Ранее {n2} {v1} о переговорах {n3} и {n1}.",
    ),
    anchored=(
        "Об этом {v0} {name}, представитель {n1}.",
        "{name}, глава {a2} {n1}, {v0} о новых планах {n3}.",
    ),
    name_parts=(("Кор", "Бел", "Сав", "Гром", "Лаз", "Мир", "Вол", "Тар", "Зуб", "Рож"),
                ("", "ни", "ко", "ла", "ри", "ба", "де", "му"), ("ов", "ин", "ский", "енко", "ев")),
    months=("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
            "сентября", "октября", "ноября", "декабря"),
    weekdays=("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
)  # fmt: skip

UK = Language(
    "uk", 0.15, (("cp1251", 0.15),),
    nouns=_words("""
        уряд уряду уряди урядів
        міністр міністра міністри міністрів
        угода угоди угоди угод
        компанія компанії компанії компаній
        ринок ринку ринки ринків
        ціна ціни ціни цін
        закон закону закони законів
        суд суду суди судів
        кордон кордону кордони кордонів
        область області області областей
        місто міста міста міст
        президент президента президенти президентів
        депутат депутата депутати депутатів
        банк банку банки банків
        податок податку податки податків
        санкція санкції санкції санкцій
        армія армії армії армій
        школа школи школи шкіл
        лікар лікаря лікарі лікарів
        лікарня лікарні лікарні лікарень
        громада громади громади громад
    """),
    adjectives=_words("""
        новий нова нової нові
        місцевий місцева місцевої місцеві
        економічний економічна економічної економічні
        український українська української українські
        військовий військова військової військові
        великий велика великої великі
        державний державна державної державні
    """),
    verbs=_words("""
        заявив заявили заявляє заявляють
        повідомив повідомили повідомляє повідомляють
        обговорив обговорили обговорює обговорюють
        підтримав підтримали підтримує підтримують
        вимагав вимагали вимагає вимагають
    """),
    titles=(
        "{n2} {v1} {n3} {a2} {n1}",
        "{a1} {n0} {v2} {n3}",
        "{n0} {v0}: {n3} {a2} {n1} побільшає на {num}",
    ),
    ledes=(
        "{n0} {v2}, що {n2} {a2} {n1} готові до переговорів до кінця року.",
        "За даними {a2} {n1}, {n3} у регіоні стало на {num} більше, а {n0} {v2} нові заходи.",
    ),
    sentences=(
        "{n2} {v1} про плани {n1} та {n3} {a2} {n1}.",
        "За словами {n1}, {a1} {n0} не заважатиме роботі {n3}.",
        "Експерти вважають, що {n0} {v2} інтереси {n3} і {n1}.",
        "У {num} році {n2} {a2} {n1} {v1} {n3} разом із представниками {n3}.",
        "Напередодні {n0} {v0}, що рішення {n1} ухвалено без участі {n3}.",
        "Кількість {n3} зросла на {num} відсотків, повідомляють {n2}.",
        "Представники {n1} {v1} про підтримку {n3} {a2} {n1}.",
        "Як зазначають {n2}, {a1} {n0} залишається головною темою для {n3}.",
    ),
    anchored=(
        "Про це {v0} {name}, представник {n1}.",
        "{name}, очільник {a2} {n1}, {v0} про нові плани {n3}.",
    ),
    name_parts=(("Кравч", "Бонд", "Мельн", "Ткач", "Шевч", "Коваль", "Бойч", "Литв", "Гнат", "Сидор"),
                ("", "е", "у", "и", "о"), ("енко", "ук", "ишин", "ський", "ич")),
    months=("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
            "вересня", "жовтня", "листопада", "грудня"),
    weekdays=("понеділок", "вівторок", "середа", "четвер", "п’ятниця", "субота", "неділя"),
)  # fmt: skip

DE = Language(
    "de", 0.15, (("cp1252", 0.1), ("iso-8859-2", 0.1)),
    nouns=_words("""
        Regierung Regierung Regierungen Regierungen
        Minister Ministers Minister Ministern
        Vertrag Vertrags Verträge Verträgen
        Unternehmen Unternehmens Unternehmen Unternehmen
        Markt Markts Märkte Märkten
        Preis Preises Preise Preisen
        Gesetz Gesetzes Gesetze Gesetzen
        Gericht Gerichts Gerichte Gerichten
        Grenze Grenze Grenzen Grenzen
        Stadt Stadt Städte Städten
        Präsident Präsidenten Präsidenten Präsidenten
        Partei Partei Parteien Parteien
        Bank Bank Banken Banken
        Steuer Steuer Steuern Steuern
        Sanktion Sanktion Sanktionen Sanktionen
        Verhandlung Verhandlung Verhandlungen Verhandlungen
        Schule Schule Schulen Schulen
        Krankenhaus Krankenhauses Krankenhäuser Krankenhäusern
        Arzt Arztes Ärzte Ärzten
        Wahl Wahl Wahlen Wahlen
        Kraftwerk Kraftwerks Kraftwerke Kraftwerken
    """),
    adjectives=_words("""
        neue neuen neuer neues
        regionale regionalen regionaler regionales
        wirtschaftliche wirtschaftlichen wirtschaftlicher wirtschaftliches
        deutsche deutschen deutscher deutsches
        große großen großer großes
        öffentliche öffentlichen öffentlicher öffentliches
    """),
    verbs=_words("""
        erklärt erklären erklärte erklärten
        fordert fordern forderte forderten
        berichtet berichten berichtete berichteten
        plant planen plante planten
        unterstützt unterstützen unterstützte unterstützten
    """),
    titles=(
        "{n2} {v1} {a0} {n0} der {n1}",
        "{a0} {n0}: {n2} {v1} mehr {n3}",
        "{n0} {v2} {num} {a1} {n3}",
    ),
    ledes=(
        "Die {n0} {v0}, dass die {n2} der {a1} {n1} bis Ende des Jahres bereit sind.",
        "Nach Angaben des {a1} {n1} stieg die Zahl der {n2} um {num}, und die {n0} {v0} neue Maßnahmen.",
    ),
    sentences=(
        "Die {n2} {v1} die Pläne des {n1} und der {a1} {n3}.",
        "Nach Worten des {n1} wird der {a0} {n0} die Arbeit der {n3} nicht behindern.",
        "Experten meinen, dass der {n0} die Interessen von {n3} und {n3} {v0}.",
        "Im Jahr {num} {v3} die {n2} mit {n3} und {n3} zusammen.",
        "Am Vortag {v2} der {n0}, die Entscheidung des {n1} sei ohne {n3} gefallen.",
        "Die Zahl der {n2} wuchs um {num} Prozent, {v1} die {n2}.",
        "Vertreter des {n1} {v3} die Unterstützung von {n3} und {a1} {n3}.",
        "Wie die {n2} betonen, bleibt der {a0} {n0} das wichtigste Thema für die {n3}.",
    ),
    anchored=(
        "Das {v2} {name}, ein Sprecher des {n1}.",
        "{name}, Leiter des {a1} {n1}, {v2} neue Pläne der {n3}.",
    ),
    name_parts=(("Brenn", "Hofm", "Wegn", "Kessl", "Sch", "Lind", "Kr", "Vog", "Zimm", "Haus"),
                ("", "er", "el", "ing", "ann"), ("er", "mann", "inger", "hoff", "ke")),
    months=("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
            "Oktober", "November", "Dezember"),
)  # fmt: skip

FR = Language(
    "fr", 0.15, (("cp1252", 0.15),),
    nouns=_words("""
        gouvernement gouvernements
        ministre ministres
        accord accords
        négociation négociations
        entreprise entreprises
        marché marchés
        tarif tarifs
        loi lois
        tribunal tribunaux
        frontière frontières
        région régions
        ville villes
        président présidents
        député députés
        banque banques
        impôt impôts
        sanction sanctions
        élection élections
        école écoles
        hôpital hôpitaux
        médecin médecins
        journal journaux
    """),
    adjectives=_words("""
        régional régionale régionaux régionales
        économique économique économiques économiques
        français française français françaises
        public publique publics publiques
        important importante importants importantes
    """),
    verbs=_words("""
        annonce annoncent annoncé annoncer
        déclare déclarent déclaré déclarer
        négocie négocient négocié négocier
        soutient soutiennent soutenu soutenir
        exige exigent exigé exiger
    """),
    titles=(
        "Les {n1} {v1} de nouveaux {n1} pour la {n0}",
        "Le {n0} {a0} {v0} {num} {n1}",
        "{n1} : le {n0} {v0} un {n0} {a0}",
    ),
    ledes=(
        "Le {n0} {v0} que les {n1} {a2} sont prêts à un {n0} avant la fin de l'année.",
        "Selon le {n0} {a0}, le nombre de {n1} a augmenté de {num}, et le {n0} {v0} de nouvelles mesures.",
    ),
    sentences=(
        "Les {n1} ont {v2} les projets du {n0} et des {n1} {a2}.",
        "Selon le {n0}, le {n0} {a0} ne gênera pas le travail des {n1}.",
        "Les experts estiment que le {n0} {v0} les intérêts des {n1} et du {n0}.",
        "En {num}, les {n1} {a2} ont {v2} avec les {n1} un {n0} commun.",
        "La veille, le {n0} a {v2} que la décision du {n0} avait été prise sans les {n1}.",
        "Le nombre de {n1} a augmenté de {num} pour cent, {v1} les {n1}.",
        "Les représentants du {n0} veulent {v3} les {n1} {a2}.",
        "Comme le soulignent les {n1}, la {n0} {a1} reste le sujet principal pour les {n1}.",
    ),
    anchored=(
        "C'est ce qu'a {v2} {name}, porte-parole du {n0}.",
        "{name}, à la tête du {n0} {a0}, {v0} de nouveaux projets pour les {n1}.",
    ),
    name_parts=(("Dub", "Lef", "Mor", "Gir", "Bonn", "Chev", "Fauc", "Roul", "Marc", "Pel"),
                ("", "er", "ev", "ill", "on"), ("ois", "et", "eau", "ier", "and")),
    months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
            "octobre", "novembre", "décembre"),
    weekdays=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
)  # fmt: skip

ES = Language(
    "es", 0.15, (("cp1252", 0.15),),
    nouns=_words("""
        gobierno gobiernos
        ministro ministros
        acuerdo acuerdos
        negociación negociaciones
        empresa empresas
        mercado mercados
        precio precios
        ley leyes
        tribunal tribunales
        frontera fronteras
        región regiones
        ciudad ciudades
        presidente presidentes
        diputado diputados
        banco bancos
        impuesto impuestos
        sanción sanciones
        elección elecciones
        escuela escuelas
        hospital hospitales
        médico médicos
    """),
    adjectives=_words("""
        nuevo nueva nuevos nuevas
        económico económica económicos económicas
        español española españoles españolas
        público pública públicos públicas
        regional regional regionales regionales
    """),
    verbs=_words("""
        anuncia anuncian anunciado anunciar
        declara declaran declarado declarar
        negocia negocian negociado negociar
        apoya apoyan apoyado apoyar
        exige exigen exigido exigir
    """),
    titles=(
        "Los {n1} {v1} nuevos {n1} para el {n0}",
        "El {n0} {a0} {v0} {num} {n1}",
        "{n1}: el {n0} {v0} un {n0} {a0}",
    ),
    ledes=(
        "El {n0} {v0} que los {n1} {a2} están listos para un {n0} antes de fin de año.",
        "Según el {n0} {a0}, el número de {n1} creció en {num}, y el {n0} {v0} nuevas medidas.",
    ),
    sentences=(
        "Los {n1} han {v2} los planes del {n0} y de los {n1} {a2}.",
        "Según el {n0}, el {n0} {a0} no impedirá el trabajo de los {n1}.",
        "Los expertos creen que el {n0} {v0} los intereses de los {n1} y del {n0}.",
        "En {num}, los {n1} {a2} han {v2} con los {n1} un {n0} común.",
        "La víspera, el {n0} había {v2} que la decisión del {n0} se tomó sin los {n1}.",
        "El número de {n1} aumentó un {num} por ciento, {v1} los {n1}.",
        "Los representantes del {n0} quieren {v3} a los {n1} {a2}.",
        "Como subrayan los {n1}, la {n0} {a1} sigue siendo el tema principal para los {n1}.",
    ),
    anchored=(
        "Así lo ha {v2} {name}, portavoz del {n0}.",
        "{name}, al frente del {n0} {a0}, {v0} nuevos planes para los {n1}.",
    ),
    name_parts=(("Garc", "Mart", "Rodr", "Fern", "Lóp", "Sánch", "Ram", "Tor", "Gut", "Nav"),
                ("", "i", "er", "on", "al"), ("ez", "ía", "ado", "ero", "ales")),
    months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
            "octubre", "noviembre", "diciembre"),
    weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
)  # fmt: skip

EN = Language(
    "en", 0.12, (("cp1252", 0.05),),
    nouns=_words("""
        government governments
        minister ministers
        agreement agreements
        negotiation negotiations
        company companies
        market markets
        price prices
        law laws
        court courts
        border borders
        region regions
        city cities
        president presidents
        lawmaker lawmakers
        bank banks
        tax taxes
        sanction sanctions
        election elections
        school schools
        hospital hospitals
        doctor doctors
    """),
    adjectives=_words("""
        regional
        economic
        public
        national
        local
    """),
    verbs=_words("""
        announces announce announced announcing
        demands demand demanded demanding
        supports support supported supporting
        negotiates negotiate negotiated negotiating
        rejects reject rejected rejecting
    """),
    titles=(
        "{n1} {v1} new {n1} for the {n0}",
        "{a0} {n0} {v0} {num} {n1}",
        "{n1}: the {n0} {v0} a {a0} {n0}",
    ),
    ledes=(
        "The {n0} {v0} that {a0} {n1} are ready for an {n0} before the end of the year.",
        "According to the {a0} {n0}, the number of {n1} grew by {num}, and the {n0} {v0} new measures.",
    ),
    sentences=(
        "The {n1} have {v2} the plans of the {n0} and of {a0} {n1}.",
        "According to the {n0}, the {a0} {n0} will not hinder the work of the {n1}.",
        "Experts believe the {n0} {v0} the interests of {n1} and of the {n0}.",
        "In {num}, {a0} {n1} {v2} a joint {n0} with the {n1}.",
        "The day before, the {n0} said the decision of the {n0} was taken without the {n1}.",
        "The number of {n1} rose by {num} per cent, the {n1} said, {v3} more {n1}.",
        "Representatives of the {n0} want to {v1} the {a0} {n1}.",
    ),
    anchored=(
        "That was {v2} by {name}, a spokesman for the {n0}.",
        "{name}, head of the {a0} {n0}, {v0} new plans for the {n1}.",
    ),
    name_parts=(("Ash", "Brad", "Carl", "Dunm", "Ell", "Fair", "Hall", "Kend", "Penn", "Whit"),
                ("", "er", "ing", "ow", "ock"), ("ton", "ley", "worth", "by", "field")),
)  # fmt: skip

ZH = Language(
    "zh", 0.03, (),
    nouns=_words("""
        政府
        部长
        协议
        谈判
        公司
        市场
        价格
        法律
        法院
        边境
        地区
        城市
        总统
        代表
        银行
        税收
        制裁
        选举
        学校
        医院
        医生
    """),
    adjectives=_words("""
        地方
        经济
        国家
        重要
    """),
    verbs=_words("""
        宣布
        要求
        支持
        讨论
    """),
    titles=("{n0}{v0}新的{n0}{n0}", "{a0}{n0}{v0}{num}项{n0}", "{n0}：{n0}{v0}{a0}{n0}"),
    ledes=("{n0}{v0}，{a0}{n0}已准备在年底前达成{n0}。", "据{a0}{n0}称，{n0}数量增加了{num}，{n0}{v0}新的措施。"),
    sentences=(
        "{n0}{v0}了{n0}和{a0}{n0}的计划。",
        "据{n0}称，{a0}{n0}不会影响{n0}的工作。",
        "专家认为，{n0}{v0}{n0}和{n0}的利益。",
        "{num}年，{a0}{n0}与{n0}{v0}了共同的{n0}。",
        "前一天，{n0}表示，{n0}的决定是在没有{n0}参与的情况下作出的。",
        "{n0}的数量增长了百分之{num}，{n0}表示将{v0}更多{n0}。",
    ),
    anchored=("{n0}发言人{name}{v0}了这一消息。", "{a0}{n0}负责人{name}{v0}了{n0}的新计划。"),
    name_parts=(("王", "李", "张", "刘", "陈", "杨", "赵", "黄"), ("建", "志", "海", "文", "晓", "国", "明", "春"),
                ("华", "军", "平", "伟", "涛", "林", "宁", "峰")),
)  # fmt: skip

LANGUAGES: tuple[Language, ...] = (RU, UK, DE, FR, ES, EN, ZH)
BY_CODE = {language.code: language for language in LANGUAGES}
UNSPACED = frozenset({"zh"})


# --- datelines ----------------------------------------------------------------------


def dateline(language: Language, moment: datetime, rng: random.Random) -> tuple[str, bool]:
    """A dateline for ``moment`` in one of the language's newsroom forms, and whether it gives the time."""
    day, month, year = moment.day, moment.month, moment.year
    hm, numeric = f"{moment:%H:%M}", f"{moment:%d.%m.%Y}"
    slashed = f"{moment:%d/%m/%Y}"
    weekday = language.weekdays[moment.weekday()] if language.weekdays else ""
    name = language.months[month - 1] if language.months else ""
    forms: dict[str, tuple[tuple[str, bool], ...]] = {
        "ru": ((f"{day} {name} {year} {hm}", True), (f"{day} {name} {year} г., {hm}", True), (f"{numeric} {hm}", True),
               (f"{weekday}, {day} {name} {year}", False), (f"Опубликовано: {numeric} {hm}", True)),
        "uk": ((f"{day} {name} {year} року, {hm}", True), (f"{numeric} {hm}", True), (f"{day} {name} {year}, {hm}", True),
               (f"{weekday}, {day} {name} {year}", False)),
        "de": ((f"{day}. {name} {year}", False), (f"{day}. {name} {year}, {hm} Uhr", True), (f"{numeric}, {hm} Uhr", True),
               (f"Veröffentlicht am {day}. {name} {year}", False), (f"{numeric} {hm}", True)),
        "fr": ((f"Publié le {'1er' if day == 1 else day} {name} {year} à {moment:%Hh%M}", True),
               (f"{day} {name} {year} à {hm}", True), (f"{slashed} {hm}", True), (f"{weekday} {day} {name} {year}", False)),
        "es": ((f"{day} de {name} de {year}, {hm}", True), (f"{slashed} {hm}", True),
               (f"Actualizado: {day} de {name} de {year}, {hm}", True), (f"{weekday}, {day} de {name} de {year}", False)),
        "en": tuple((format_dateline(moment, form), True) for form in range(3)),
        "zh": ((f"{year}年{month}月{day}日 {hm}", True), (f"{year}年{month}月{day}日", False)),
    }  # fmt: skip
    return rng.choice(forms[language.code])


# --- articles -----------------------------------------------------------------------

_SLOT = re.compile(r"\{(n|a|v)(\d)\}|\{num\}|\{name\}")


@dataclass(frozen=True)
class Written:
    """A sentence as written, with the vocabulary words it used: (kind, word number, form number)."""

    text: str
    used: tuple[tuple[str, int, int], ...]


def fill(language: Language, template: str, rng: random.Random, name: str = "") -> Written:
    used: list[tuple[str, int, int]] = []

    def slot(found: re.Match[str]) -> str:
        if found.group() == "{num}":
            return str(rng.randrange(2, 100) if rng.random() < 0.7 else rng.randrange(2000, 2025))
        if found.group() == "{name}":
            return name
        kind, form = found.group(1), int(found.group(2))
        words = {"n": language.nouns, "a": language.adjectives, "v": language.verbs}[kind]
        number = rng.randrange(len(words))
        form = min(form, len(words[number]) - 1)
        used.append((kind, number, form))
        return words[number][form]

    text = _SLOT.sub(slot, template)
    return Written(text[:1].upper() + text[1:], tuple(used))


def invent_name(language: Language, rng: random.Random, taken: set[str]) -> str:
    """A surname no other article of the corpus has (a number is added when the parts run out)."""
    onsets, middles, endings = language.name_parts
    for _ in range(50):
        name = rng.choice(onsets) + rng.choice(middles) + rng.choice(middles) + rng.choice(endings)
        if name not in taken:
            taken.add(name)
            return name
    name = f"{name}{len(taken)}"
    taken.add(name)
    return name


def _tokens(language: Language, text: str) -> set[str]:
    if language.code in UNSPACED:
        return set()
    return {word.lower() for word in re.findall(r"[^\W\d_]+(?:[’'][^\W\d_]+)?", text)}


def pick_probe(language: Language, used: Sequence[tuple[str, int, int]], text: str, rng: random.Random) -> dict | None:  # type: ignore[type-arg]
    """A noun or adjective of the article, as written, and another form of it that the article does not hold."""
    if language.code in UNSPACED:
        kind, number, _ = rng.choice([entry for entry in used if entry[0] == "n"])
        word = language.nouns[number][0]
        return {"written": word, "other": None}
    words = _tokens(language, text)
    candidates = []
    for kind, number, form in used:
        if kind not in "na":
            continue
        forms = (language.nouns if kind == "n" else language.adjectives)[number]
        others = sorted({other for other in forms if other.lower() not in words})
        if others:
            candidates.append((forms[form], others))
    if not candidates:
        return None
    written, others = rng.choice(candidates)
    return {"written": written, "other": rng.choice(others)}


def compose(language: Language, rng: random.Random, moment: datetime, name: str) -> tuple[str, dict]:  # type: ignore[type-arg]
    """One article (seed layout) and what is true of it."""
    joiner = "" if language.code in UNSPACED else " "
    title = fill(language, rng.choice(language.titles), rng)
    lede = fill(language, rng.choice(language.ledes), rng)
    paragraphs: list[list[Written]] = [
        [fill(language, rng.choice(language.sentences), rng) for _ in range(rng.randint(2, 4))]
        for _ in range(rng.randint(3, 7))
    ]
    anchored = fill(language, rng.choice(language.anchored), rng, name)
    paragraphs[rng.randrange(len(paragraphs))].insert(1, anchored)
    line, timed = dateline(language, moment, rng)
    body = [joiner.join(sentence.text for sentence in paragraph) for paragraph in paragraphs]
    text = "\n".join([title.text, lede.text, line, *body]) + "\n"
    used = [entry for sentence in (title, lede, *(s for p in paragraphs for s in p)) for entry in sentence.used]
    truth = {
        "language": language.code,
        "title": title.text,
        "dateline": line,
        "published": (moment if timed else moment.replace(hour=0, minute=0)).isoformat(),
        "precision": "minute" if timed else "day",
        "anchor": name,
        "probe": pick_probe(language, used, text, rng),
    }
    return text, truth


@dataclass(frozen=True)
class Manifest:
    articles: int
    seed: int
    languages: dict[str, int]
    encodings: dict[str, int]
    bytes: int
    seconds: float
    kind: str = "multilingual"
    maker_version: int = MAKER_VERSION


def write_corpus(out: Path, count: int, *, seed: int) -> Manifest:
    """Write ``count`` article files and ``.truth.jsonl`` under ``out`` (which must be empty or absent)."""
    started = time.perf_counter()
    rng = random.Random(f"multilingual-{seed}")
    languages = [language.code for language in LANGUAGES]
    weights = [language.share for language in LANGUAGES]
    minutes = int((LAST_MOMENT - FIRST_MOMENT).total_seconds() // 60)
    taken: set[str] = set()
    counts: dict[str, int] = {}
    encodings: dict[str, int] = {}
    total_bytes = 0
    out.mkdir(parents=True, exist_ok=True)
    with (out / TRUTH).open("w", encoding="utf-8") as truth_file:
        for number in range(count):
            language = BY_CODE[rng.choices(languages, weights)[0]]
            moment = FIRST_MOMENT + timedelta(minutes=rng.randrange(minutes + 1))
            text, truth = compose(language, rng, moment, invent_name(language, rng, taken))
            encoding = _encoding(language, rng)
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                encoding, data = "utf-8", text.encode("utf-8")
            path = out / f"{number // FILES_PER_FOLDER:03d}" / f"{language.code}-{number:06d}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            total_bytes += len(data)
            counts[language.code] = counts.get(language.code, 0) + 1
            encodings[encoding] = encodings.get(encoding, 0) + 1
            record = {"file": str(path.relative_to(out)), "encoding": encoding, **truth}
            truth_file.write(json.dumps(record, ensure_ascii=False) + "\n")
    manifest = Manifest(
        articles=count, seed=seed, languages=counts, encodings=encodings, bytes=total_bytes,
        seconds=round(time.perf_counter() - started, 3),
    )  # fmt: skip
    (out / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
    return manifest


def _encoding(language: Language, rng: random.Random) -> str:
    draw = rng.random()
    for encoding, share in language.encodings:
        if draw < share:
            return encoding
        draw -= share
    return "utf-8"


def read_truth(corpus: Path) -> list[dict]:  # type: ignore[type-arg]
    with (corpus / TRUTH).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def ensure_corpus(out: Path, count: int, *, seed: int) -> dict:  # type: ignore[type-arg]
    """The corpus at ``out``, kept when its manifest matches, else made anew."""
    manifest = read_manifest(out)
    wanted = {"articles": count, "seed": seed, "kind": "multilingual", "maker_version": MAKER_VERSION}
    if manifest and all(manifest.get(key) == value for key, value in wanted.items()) and (out / TRUTH).exists():
        return manifest
    clear_corpus(out)
    return asdict(write_corpus(out, count, seed=seed))


# --- queries ------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One recall query: the article's anchor with a word in another form (``other``), or as written."""

    file: str
    language: str
    anchor: str
    written: str
    other: str | None  # None where the language does not inflect (Chinese)

    def query(self, inflected: bool) -> str:
        word = self.other if inflected and self.other else self.written
        return f"{self.anchor} {word}".lower()


def probes(truth: Sequence[dict], count: int, seed: int) -> list[Probe]:  # type: ignore[type-arg]
    """Up to ``count`` articles' probes, drawn in turn from each language so that every language has its share."""
    rng = random.Random(f"probes-{seed}")
    by_language: dict[str, list[Probe]] = {}
    for record in truth:
        if record["probe"]:
            by_language.setdefault(record["language"], []).append(
                Probe(record["file"], record["language"], record["anchor"], **record["probe"])
            )
    for found in by_language.values():
        rng.shuffle(found)
    picked: list[Probe] = []
    while len(picked) < count and any(by_language.values()):
        for found in by_language.values():
            if found and len(picked) < count:
                picked.append(found.pop())
    return picked


#: The cold query set of the multilingual corpus: inflected forms, one language each, and a date range.
COLD_QUERIES: tuple[Query, ...] = (
    Query("ru word", "санкций"),
    Query("uk word", "податків"),
    Query("de word", "verträgen"),
    Query("fr word", "négociations"),
    Query("es two-word AND", "elecciones ciudades"),
    Query("ru date filter", "министров", since=date(2021, 1, 1), until=date(2021, 12, 31)),
)


def warm_queries(count: int, seed: int) -> list[Query]:
    """``count`` queries in the corpus's languages, in inflected forms: one word, two words, a phrase, a word in dates."""
    rng = random.Random(f"warm-{seed}")
    languages, weights = list(LANGUAGES), [language.share for language in LANGUAGES]
    queries: list[Query] = []
    while len(queries) < count:
        language = rng.choices(languages, weights)[0]
        kind = len(queries) % 4
        words = [_vocabulary_word(language, rng) for _ in range(2)]
        if kind == 0:
            queries.append(Query(f"{language.code} word", words[0]))
        elif kind == 1:
            queries.append(Query(f"{language.code} two words", " ".join(words)))
        elif kind == 2:
            queries.append(Query(f"{language.code} phrase", f'"{_adjacent_pair(language, rng)}"'))
        else:
            since = date(2019, 1, 1) + timedelta(days=rng.randrange(7 * 365))
            until = since + timedelta(days=rng.randrange(30, 366))
            queries.append(Query(f"{language.code} word in dates", words[0], since=since, until=until))
    return queries


def _vocabulary_word(language: Language, rng: random.Random) -> str:
    words = language.nouns if rng.random() < 0.7 or not language.adjectives else language.adjectives
    return rng.choice(rng.choice(words)).lower()


def _adjacent_pair(language: Language, rng: random.Random) -> str:
    """Two words that follow each other in a sentence the corpus could hold (for zh: one two-character word)."""
    if language.code in UNSPACED:
        return rng.choice(language.nouns)[0]
    stop = stop_words()
    while True:
        tokens = fill(language, rng.choice(language.sentences), rng).text.lower().split()
        pairs = [
            f"{a} {b}"
            for a, b in zip(tokens, tokens[1:], strict=False)
            if a.isalpha() and b.isalpha() and not {a, b} & stop
        ]
        if pairs:
            return rng.choice(pairs)


# --- what the archive made of it ----------------------------------------------------


def check(home: Path, corpus: Path, sqlite_db: Path, picked: Sequence[Probe]) -> dict:  # type: ignore[type-arg]
    """Per language: articles whose language, title and date were stored right, and the share of probes that
    find their article (anchor + another form; anchor + the form as written) in our top 10 and in FTS5's."""
    import newsarchive

    truth = {Path(record["file"]).name: record for record in read_truth(corpus)}
    ids: dict[str, str] = {}
    rows: dict[str, dict[str, int]] = {}
    errors: list[str] = []

    def count(language: str, key: str, good: bool = True) -> None:
        row = rows.setdefault(language, {})
        row[key] = row.get(key, 0) + int(good)

    for record in truth.values():
        count(record["language"], "files")  # a file not stored counts against every share
    fts5 = sqlite3.connect(sqlite_db)
    with newsarchive.open(home) as archive, fts5:
        for stored in archive.export():
            for location in stored.files:
                expected = truth.get(Path(location).name)
                if expected is None:
                    continue
                ids[expected["file"]] = stored.id
                language = expected["language"]
                count(language, "articles")
                count(language, "language_right", stored.language == expected["language"])
                count(language, "title_exact", stored.title == expected["title"])
                count(language, "date_exact", _same_moment(stored.published_at, expected))
        for probe in picked:
            for inflected, key in ((True, "inflected"), (False, "written")):
                if inflected and probe.other is None:
                    continue
                count(probe.language, f"{key}_queries")
                try:
                    hits = archive.search(probe.query(inflected), limit=10, collapse=False).hits
                except Exception as error:  # noqa: BLE001 - a benchmark counts a failing query as a miss
                    hits = []
                    errors.append(f"{probe.query(inflected)}: {type(error).__name__}: {error}")
                count(probe.language, f"{key}_found", ids.get(probe.file) in {hit.id for hit in hits})
                count(probe.language, f"{key}_found_fts5", _fts5_finds(fts5, corpus / probe.file, probe.query(inflected)))
    fts5.close()
    stored = sum(row.get("articles", 0) for row in rows.values())
    return {
        "files": len(truth), "stored": stored, "languages": dict(sorted(rows.items(), key=_order)),
        "failed_queries": len(errors), "errors": errors[:5],
    }  # fmt: skip


def _order(item: tuple[str, object]) -> int:
    return [language.code for language in LANGUAGES].index(item[0]) if item[0] in BY_CODE else len(LANGUAGES)


def _same_moment(published: datetime | None, expected: dict) -> bool:  # type: ignore[type-arg]
    """The stored moment (UTC) is the dateline's: to the minute, or the day for a dateline without a time."""
    if published is None:
        return False
    wanted = datetime.fromisoformat(expected["published"])
    if expected["precision"] == "day":
        return published.date() == wanted.date()
    return published.replace(tzinfo=None, second=0, microsecond=0) == wanted


def _fts5_finds(connection: sqlite3.Connection, path: Path, query: str) -> bool:
    """Whether SQLite FTS5 (sqlite-utils' table, the porter tokenizer) finds the article of ``path``."""
    key = hashlib.sha256(path.read_bytes()).hexdigest()[:16]  # the record id references.write_ndjson gives
    match = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
    found = connection.execute(
        f"select a.id from {TABLE}_fts join {TABLE} a on a.rowid = {TABLE}_fts.rowid where {TABLE}_fts match ?",
        (match,),
    ).fetchall()
    return key in {row[0] for row in found}


# --- the command --------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write N articles in Russian, Ukrainian, German, French, Spanish, English and Chinese "
        "in the seed layout, with their truth in .truth.jsonl. Deterministic for a given --seed.",
        epilog="Example: python benchmarks/multilingual.py benchmarks/work/corpora/multi-5000 --count 5000",
    )
    parser.add_argument("out", type=Path, help="folder to write (absent, empty, or a corpus made by this script)")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"number of article files (default {DEFAULT_COUNT})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    manifest = ensure_corpus(args.out, args.count, seed=args.seed)
    print(f"{manifest['articles']} articles in {args.out}: {manifest['languages']}, encodings {manifest['encodings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
