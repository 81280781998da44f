"""Articles in the seed layout with datelines in their own language, some in legacy encodings, dated at ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# name, encoding, language identified, title, lede, dateline, body paragraphs
ARTICLES = [
    (
        "ru-cp1251.txt", "cp1251", "ru",
        "Кремль выдвинул ультиматум по Курской области",
        "Кремль не будет вести мирные переговоры с Украиной до освобождения Курской области, пишут журналисты.",
        "10 ноября 2024 г., 09:13",
        (
            "По данным журналистов, представители Кремля готовы к мирным переговорам, чтобы хотя бы заморозить "
            "конфликт. Однако начнутся они только после того, как украинские войска покинут Курскую область.",
            "«Переговоры будут вестись только с позиции силы», — сказал источник, близкий к администрации "
            "президента. По его словам, контрнаступление необходимо, чтобы российская сторона не выглядела уступающей.",
            "Седьмого ноября на заседании клуба «Валдай» Владимир Путин поздравил Дональда Трампа с победой на "
            "выборах и заявил, что не считает зазорным позвонить ему после вступления в должность.",
        ),
    ),
    (
        "ru-koi8.txt", "koi8_r", "ru",
        "В Москве открылась новая станция метро",
        "Станция Большой кольцевой линии приняла первых пассажиров в воскресенье утром.",
        "10.11.2024 09:13",
        (
            "Новая станция метро открылась в воскресенье на юго-западе столицы. Первые поезда прошли по участку "
            "в шесть часов утра, а к полудню станцией воспользовались более двадцати тысяч человек.",
            "Мэр города сообщил, что строительство продолжалось три года и обошлось бюджету дешевле, чем "
            "планировалось. В следующем году откроются ещё четыре станции на этой же линии.",
            "Жители соседних районов говорят, что дорога до центра теперь занимает вдвое меньше времени, "
            "и просят продлить работу наземного транспорта до поздней ночи.",
        ),
    ),
    (
        "ru-utf8.txt", "utf-8", "ru",
        "Банк России сохранил ключевую ставку",
        "Совет директоров регулятора принял решение, которого ожидало большинство аналитиков.",
        "понедельник, 10 ноября 2024",
        (
            "Банк России сохранил ключевую ставку на прежнем уровне, сообщила пресс-служба регулятора. "
            "Решение объясняется замедлением инфляции в последние месяцы и охлаждением кредитования.",
            "Аналитики крупнейших банков ожидают, что снижение ставки может начаться не раньше весны. "
            "По их оценкам, инфляционные ожидания населения остаются высокими.",
            "Следующее заседание совета директоров по ключевой ставке запланировано на середину декабря.",
        ),
    ),
    (
        "uk.txt", "utf-8", "uk",
        "У Києві відкрили новий міст через Дніпро",
        "Рух мостом для легкових автомобілів розпочався в неділю вранці.",
        "10 листопада 2024 року, 09:13",
        (
            "Новий міст через Дніпро відкрили для руху легкових автомобілів і громадського транспорту. "
            "Будівництво тривало понад п'ятнадцять років і кілька разів зупинялося через брак коштів.",
            "Міський голова заявив, що міст суттєво зменшить затори на лівому березі столиці. "
            "Вантажівкам заїзд на міст поки що заборонено до завершення останніх робіт.",
            "Мешканці Оболоні та Троєщини кажуть, що дорога до роботи тепер займає вдвічі менше часу, "
            "а увечері рух на сусідніх мостах став помітно вільнішим.",
        ),
    ),
    (
        "de-cp1252.txt", "cp1252", "de",
        "Bundestag beschließt neues Heizungsgesetz",
        "Nach monatelangem Streit hat die Koalition ihre Mehrheit für das Gebäudeenergiegesetz zusammenbekommen.",
        "Veröffentlicht am 10.11.2024 um 09:13 Uhr",
        (
            "Der Bundestag hat am Freitag das umstrittene Gebäudeenergiegesetz verabschiedet. Für den Entwurf "
            "stimmten die Abgeordneten der Regierungsfraktionen, die Opposition lehnte ihn geschlossen ab.",
            "Künftig müssen neu eingebaute Heizungen zu einem großen Teil mit erneuerbaren Energien betrieben "
            "werden. Für Hausbesitzer sind Übergangsfristen und staatliche Zuschüsse vorgesehen.",
            "Verbraucherschützer begrüßten die Förderung, kritisierten aber die späte Klarheit für Mieter. "
            "Der Bundesrat soll sich noch vor Weihnachten mit dem Gesetz befassen.",
        ),
    ),
    (
        "de-utf8.txt", "utf-8", "de",
        "Hochwasser an der Elbe geht langsam zurück",
        "In Dresden sinkt der Pegel der Elbe seit dem Morgen, die Deiche haben gehalten.",
        "10. November 2024",
        (
            "Nach tagelangem Regen geht das Hochwasser an der Elbe langsam zurück. Die Stadtverwaltung hob "
            "die höchste Alarmstufe am Vormittag auf, warnte aber vor überfluteten Wegen am Ufer.",
            "Hunderte Helfer hatten in der Nacht Sandsäcke gefüllt und die Deiche verstärkt. Die Feuerwehr "
            "meldete keine Verletzten, mehrere Keller in der Altstadt standen jedoch unter Wasser.",
            "Die Schifffahrt auf der Elbe bleibt vorerst eingestellt, bis die Brücken wieder sicher passiert werden können.",
        ),
    ),
    (
        "fr-cp1252.txt", "cp1252", "fr",
        "Le débat télévisé attire quinze millions de téléspectateurs",
        "Le débat, diffusé mercredi soir, a réuni un public record selon Médiamétrie.",
        "Publié le 10 novembre 2024 à 09h13",
        (
            "Les deux candidats se sont opposés pendant près de trois heures sur l'économie, la sécurité et "
            "l'avenir des retraites, devant une audience jamais atteinte depuis dix ans.",
            "Selon les premiers sondages publiés jeudi, une majorité de téléspectateurs a jugé le candidat "
            "sortant plus convaincant, mais l'écart reste faible et l'issue du scrutin incertaine.",
            "Les équipes de campagne se préparent désormais au second débat, prévu la semaine prochaine "
            "dans les studios de la télévision publique.",
        ),
    ),
    (
        "es-cp1252.txt", "cp1252", "es",
        "El Gobierno aprueba la reforma de las pensiones",
        "El Consejo de Ministros ha dado luz verde a la reforma tras meses de negociación con los sindicatos.",
        "Actualizado: 10 de noviembre de 2024, 09:13",
        (
            "La reforma de las pensiones aprobada este martes por el Consejo de Ministros eleva de forma "
            "gradual las cotizaciones de los salarios más altos para garantizar la sostenibilidad del sistema.",
            "Los sindicatos han celebrado el acuerdo, mientras que la patronal ha advertido de que el aumento "
            "de los costes laborales puede frenar la creación de empleo en los próximos años.",
            "El texto se tramitará ahora en el Congreso, donde el Gobierno necesitará el apoyo de sus socios "
            "parlamentarios para sacarlo adelante antes de que termine el año.",
        ),
    ),
    (
        "pl-latin2.txt", "iso-8859-2", "pl",
        "Sejm uchwalił ustawę o ochronie zdrowia psychicznego",
        "Posłowie niemal jednogłośnie poparli projekt przygotowany przez ministerstwo zdrowia.",
        "Opublikowano: 10 listopada 2024",
        (
            "Sejm przyjął w piątek ustawę, która ma skrócić czas oczekiwania na pomoc psychologiczną dla "
            "dzieci i młodzieży. Za projektem głosowało czterystu trzydziestu posłów.",
            "Nowe przepisy przewidują utworzenie ośrodków pomocy w każdym powiecie oraz zwiększenie liczby "
            "miejsc na studiach dla przyszłych psychiatrów dziecięcych.",
            "Ustawa trafi teraz do Senatu, a minister zdrowia zapowiada, że pierwsze ośrodki zaczną działać "
            "już w przyszłym roku szkolnym.",
        ),
    ),
]  # fmt: skip

# title -> moment in UTC and precision: the eastern folder is ingested with --tz Europe/Moscow (UTC+3),
# the western one with --tz Europe/Paris (UTC+1 in November).
EXPECTED = {
    "Кремль выдвинул ультиматум по Курской области": ("2024-11-10T06:13:00+00:00", "minute"),
    "В Москве открылась новая станция метро": ("2024-11-10T06:13:00+00:00", "minute"),
    "Банк России сохранил ключевую ставку": ("2024-11-09T21:00:00+00:00", "day"),
    "У Києві відкрили новий міст через Дніпро": ("2024-11-10T06:13:00+00:00", "minute"),
    "Bundestag beschließt neues Heizungsgesetz": ("2024-11-10T08:13:00+00:00", "minute"),
    "Hochwasser an der Elbe geht langsam zurück": ("2024-11-09T23:00:00+00:00", "day"),
    "Le débat télévisé attire quinze millions de téléspectateurs": ("2024-11-10T08:13:00+00:00", "minute"),
    "El Gobierno aprueba la reforma de las pensiones": ("2024-11-10T08:13:00+00:00", "minute"),
    "Sejm uchwalił ustawę o ochronie zdrowia psychicznego": ("2024-11-09T23:00:00+00:00", "day"),
}
EASTERN = {"ru", "uk"}


@pytest.fixture
def languages_archive(archive, tmp_path: Path):  # type: ignore[no-untyped-def]
    for name, encoding, language, title, lede, dateline, paragraphs in ARTICLES:
        folder = tmp_path / ("east" if language in EASTERN else "west")
        folder.mkdir(exist_ok=True)
        text = "\n".join([title, lede, dateline, *paragraphs]) + "\n"
        (folder / name).write_bytes(text.encode(encoding))
    archive("ingest", tmp_path / "east", "--tz", "Europe/Moscow")
    archive("ingest", tmp_path / "west", "--tz", "Europe/Paris")
    return archive


def test_every_dateline_gives_the_exact_date_and_precision(languages_archive) -> None:
    listed = json.loads(languages_archive("list", "--json", "--limit", "50").stdout)["articles"]
    dates = {article["title"]: (article["date"], article["date_precision"]) for article in listed}
    assert dates == EXPECTED


def test_show_keeps_the_dateline_as_written_and_the_language(languages_archive) -> None:
    listed = json.loads(languages_archive("list", "--json", "--limit", "50").stdout)["articles"]
    ids = {article["title"]: article["id"] for article in listed}
    for _name, _encoding, language, title, lede, dateline, paragraphs in ARTICLES:
        record = json.loads(languages_archive("show", ids[title], "--json").stdout)
        written = dateline.split(": ", 1)[-1].removeprefix("Veröffentlicht am ").removeprefix("Publié le ")
        assert (record["language"], record["date_text"]) == (language, written), title
        assert (record["description"], record["body"][0]["text"]) == (lede, paragraphs[0]), title


def test_dated_articles_answer_date_filters(languages_archive) -> None:
    found = json.loads(languages_archive("list", "--json", "--since", "2024-11-10", "--tz", "Europe/Moscow").stdout)
    assert found["total"] == len(ARTICLES)
    assert json.loads(languages_archive("list", "--json", "--until", "2024-11-08").stdout)["total"] == 0
