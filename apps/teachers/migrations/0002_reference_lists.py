"""Seed the qualification categories (DOMAIN.md), positions and subjects."""

from django.db import migrations

# code, track, rank, validity years, kk, ru, en
CATEGORIES = [
    ("intern", "teacher", 1, None, "педагог-тағылымдамашы", "педагог-стажер", "intern teacher"),
    ("teacher", "teacher", 2, None, "педагог", "педагог", "teacher"),
    ("moderator", "teacher", 3, 5, "педагог-модератор", "педагог-модератор", "teacher-moderator"),
    ("expert", "teacher", 4, 5, "педагог-сарапшы", "педагог-эксперт", "teacher-expert"),
    (
        "researcher",
        "teacher",
        5,
        5,
        "педагог-зерттеуші",
        "педагог-исследователь",
        "teacher-researcher",
    ),
    ("master", "teacher", 6, 5, "педагог-шебер", "педагог-мастер", "teacher-master"),
    ("second", "legacy", 1, 5, "екінші санат", "вторая категория", "second category"),
    ("first", "legacy", 2, 5, "бірінші санат", "первая категория", "first category"),
    ("highest", "legacy", 3, 5, "жоғары санат", "высшая категория", "highest category"),
    (
        "deputy-3",
        "deputy",
        1,
        5,
        "үшінші санатты басшы орынбасары",
        "заместитель руководителя третьей категории",
        "deputy head, 3rd category",
    ),
    (
        "deputy-2",
        "deputy",
        2,
        5,
        "екінші санатты басшы орынбасары",
        "заместитель руководителя второй категории",
        "deputy head, 2nd category",
    ),
    (
        "deputy-1",
        "deputy",
        3,
        5,
        "бірінші санатты басшы орынбасары",
        "заместитель руководителя первой категории",
        "deputy head, 1st category",
    ),
    (
        "head-3",
        "head",
        1,
        3,
        "үшінші санатты басшы",
        "руководитель третьей категории",
        "head, 3rd category",
    ),
    (
        "head-2",
        "head",
        2,
        3,
        "екінші санатты басшы",
        "руководитель второй категории",
        "head, 2nd category",
    ),
    (
        "head-1",
        "head",
        3,
        3,
        "бірінші санатты басшы",
        "руководитель первой категории",
        "head, 1st category",
    ),
]
POSITIONS = [
    ("teacher", "school", "мұғалім", "учитель", "teacher"),
    (
        "primary-teacher",
        "school",
        "бастауыш сынып мұғалімі",
        "учитель начальных классов",
        "primary school teacher",
    ),
    (
        "college-lecturer",
        "school",
        "колледж оқытушысы",
        "преподаватель колледжа",
        "college lecturer",
    ),
    ("psychologist", "school", "педагог-психолог", "педагог-психолог", "school psychologist"),
    ("social-pedagogue", "school", "әлеуметтік педагог", "социальный педагог", "social pedagogue"),
    ("educator", "preschool", "тәрбиеші", "воспитатель", "preschool educator"),
    (
        "additional-teacher",
        "additional",
        "қосымша білім беру педагогы",
        "педагог дополнительного образования",
        "additional education teacher",
    ),
    (
        "defectologist",
        "special",
        "мұғалім-дефектолог",
        "учитель-дефектолог",
        "special needs teacher",
    ),
    ("speech-therapist", "special", "логопед", "логопед", "speech therapist"),
    ("methodologist", "methodologist", "әдіскер", "методист", "methodologist"),
    (
        "deputy-director",
        "manager",
        "директордың орынбасары",
        "заместитель директора",
        "deputy head",
    ),
    ("director", "manager", "директор", "директор", "head"),
]
SUBJECTS = [
    ("kazakh-language", "қазақ тілі", "казахский язык", "Kazakh language"),
    ("kazakh-literature", "қазақ әдебиеті", "казахская литература", "Kazakh literature"),
    ("russian-language", "орыс тілі", "русский язык", "Russian language"),
    ("russian-literature", "орыс әдебиеті", "русская литература", "Russian literature"),
    ("uzbek-language", "өзбек тілі", "узбекский язык", "Uzbek language"),
    ("english", "ағылшын тілі", "английский язык", "English"),
    ("german", "неміс тілі", "немецкий язык", "German"),
    ("mathematics", "математика", "математика", "mathematics"),
    ("physics", "физика", "физика", "physics"),
    ("chemistry", "химия", "химия", "chemistry"),
    ("biology", "биология", "биология", "biology"),
    ("geography", "география", "география", "geography"),
    ("informatics", "информатика", "информатика", "computer science"),
    ("history-kz", "Қазақстан тарихы", "история Казахстана", "history of Kazakhstan"),
    ("world-history", "дүниежүзі тарихы", "всемирная история", "world history"),
    ("law", "құқық негіздері", "основы права", "basics of law"),
    ("primary", "бастауыш сынып", "начальные классы", "primary classes"),
    ("physical-education", "дене шынықтыру", "физическая культура", "physical education"),
    ("music", "музыка", "музыка", "music"),
    ("visual-arts", "бейнелеу өнері", "изобразительное искусство", "visual arts"),
    ("technology", "көркем еңбек", "художественный труд", "arts and crafts"),
    ("self-knowledge", "өзін-өзі тану", "самопознание", "self-knowledge"),
    (
        "initial-military",
        "алғашқы әскери және технологиялық дайындық",
        "начальная военная и технологическая подготовка",
        "initial military training",
    ),
]


def seed(apps, schema_editor):
    QualificationCategory = apps.get_model("teachers", "QualificationCategory")
    Position = apps.get_model("teachers", "Position")
    Subject = apps.get_model("teachers", "Subject")
    for code, track, rank, years, kk, ru, en in CATEGORIES:
        QualificationCategory.objects.update_or_create(
            code=code,
            defaults={
                "track": track,
                "rank": rank,
                "validity_years": years,
                "name_kk": kk,
                "name_ru": ru,
                "name_en": en,
            },
        )
    for code, group, kk, ru, en in POSITIONS:
        Position.objects.update_or_create(
            code=code, defaults={"staff_group": group, "name_kk": kk, "name_ru": ru, "name_en": en}
        )
    for code, kk, ru, en in SUBJECTS:
        Subject.objects.update_or_create(
            code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en}
        )


class Migration(migrations.Migration):
    dependencies = [("teachers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
