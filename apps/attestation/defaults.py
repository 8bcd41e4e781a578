"""The rules of DOMAIN.md as the defaults of a new cycle; a cycle's copy is what counts and
regional administrators adjust it when the ministry changes the rules."""

from .models import Level

# Claimed category -> who may claim it (current categories; the same code is confirming
# it), whether a teacher with no category may, and the numbers.
# Experience for expert/researcher/master and the managers' numbers are unconfirmed
# (DOMAIN.md) and meant to be checked every cycle.
DEFAULT_RULES = {
    "moderator": {
        "from": ("teacher", "second", "moderator"),
        "from_no_category": True,
        "min_experience_years": 2,
        "test_pass_percent": 60,
        "portfolio_points": 68,
        "level": Level.ORGANIZATION,
        "pd_hours_school": 72,
        "pd_hours_other": 36,
    },
    "expert": {
        "from": ("moderator", "second", "first", "highest", "expert"),
        "from_no_category": False,
        "min_experience_years": 3,
        "test_pass_percent": 70,
        "portfolio_points": 84,
        "level": Level.DISTRICT,
        "pd_hours_school": 72,
        "pd_hours_other": 36,
    },
    "researcher": {
        "from": ("expert", "first", "highest", "researcher"),
        "from_no_category": False,
        "min_experience_years": 4,
        "test_pass_percent": 80,
        "portfolio_points": 113,
        "level": Level.REGION,
        "pd_hours_school": 80,
        "pd_hours_other": 72,
    },
    "master": {
        "from": ("researcher", "highest", "master"),
        "from_no_category": False,
        "min_experience_years": 5,
        "test_pass_percent": 90,
        "portfolio_points": 133,
        "level": Level.MINISTRY,
        "pd_hours_school": 108,
        "pd_hours_other": 80,
    },
}
for _track in ("head", "deputy"):
    for _rank, _level in ((3, Level.DISTRICT), (2, Level.DISTRICT), (1, Level.REGION)):
        _lower = f"{_track}-{_rank + 1}" if _rank < 3 else None
        DEFAULT_RULES[f"{_track}-{_rank}"] = {
            "from": tuple(c for c in (_lower, f"{_track}-{_rank}") if c),
            "from_no_category": _rank == 3,
            "min_experience_years": 0,
            "test_pass_percent": 70,
            "portfolio_points": None,
            "level": _level,
            "pd_hours_school": 72,
            "pd_hours_other": 72,
        }

# The lesson observation sheet: criteria scored 0–3 (code, Kazakh, Russian).
DEFAULT_OBSERVATION_CRITERIA = (
    (
        "goals",
        "Сабақ мақсаттары оқу бағдарламасына сәйкес және нақты",
        "Цели урока соответствуют учебной программе и конкретны",
    ),
    (
        "structure",
        "Сабақтың құрылымы мен уақытты тиімді пайдалану",
        "Структура урока и эффективное использование времени",
    ),
    (
        "methods",
        "Оқыту әдістері оқушылардың белсенділігін арттырады",
        "Методы обучения активизируют учащихся",
    ),
    (
        "differentiation",
        "Саралау: әр оқушының қажеттілігі ескеріледі",
        "Дифференциация: учтены потребности каждого ученика",
    ),
    ("assessment", "Бағалау және кері байланыс", "Оценивание и обратная связь"),
    (
        "results",
        "Оқушылардың оқу нәтижелеріне қол жеткізуі",
        "Достижение учащимися результатов обучения",
    ),
)

# Early attestation (DOMAIN.md): listed achievements needed, by claimed category.
for _code, _needed in (("expert", 4), ("researcher", 5), ("master", 6)):
    DEFAULT_RULES[_code]["early_min_achievements"] = _needed

# The portfolio scoring sheet (DOMAIN.md criteria and points): code, Kazakh, Russian,
# how points are given (Kazakh, Russian), the most a criterion can bring. The maxima are
# not in the rules (unconfirmed): the region sets them per cycle.
DEFAULT_REVIEW_CRITERIA = (
    (
        "student_results",
        "Оқушылардың соңғы 3 жылдағы оқу нәтижелері",
        "Результаты обучающихся за 3 года",
        "Білім сапасының динамикасы: 0–10 балл",
        "Динамика качества знаний: 0–10 баллов",
        10,
    ),
    (
        "observations",
        "Сабаққа қатысу нәтижелері",
        "Результаты посещения уроков",
        "Бақылау парақтарының орташа балы (әр критерий 0–3)",
        "Средний балл листов наблюдения (каждый критерий 0–3)",
        18,
    ),
    (
        "student_contests",
        "Оқушылардың конкурстары мен олимпиадалары",
        "Конкурсы и олимпиады обучающихся",
        "Мектеп 1, аудан 2, облыс 3, республика 4; жеңімпазға +1",
        "Школа 1, район 2, область 3, республика 4; победителю +1",
        20,
    ),
    (
        "teacher_contests",
        "Педагогтің кәсіби конкурстары",
        "Профессиональные конкурсы педагога",
        "Мектеп 1, аудан 2, облыс 3, республика 4; жеңімпазға +1",
        "Школа 1, район 2, область 3, республика 4; победителю +1",
        15,
    ),
    (
        "methodical",
        "Әдістемелік әзірлемелер",
        "Методические разработки",
        "Бекіткен кеңестің деңгейіне қарай 1–4 балл",
        "1–4 балла по уровню утвердившего совета",
        12,
    ),
    (
        "talks",
        "Конференциялар мен семинарлардағы баяндамалар",
        "Выступления на конференциях и семинарах",
        "Деңгейіне қарай 1–4 балл",
        "1–4 балла по уровню",
        12,
    ),
    (
        "publications",
        "Жарияланымдар",
        "Публикации",
        "Әрқайсысы 5 балл, индекстелетін журналда 7 балл",
        "По 5 баллов, в индексируемом журнале 7 баллов",
        21,
    ),
    (
        "expert_work",
        "Қазылар алқасы мен сарапшылық жұмыс",
        "Работа в жюри и экспертная работа",
        "Деңгейіне қарай 1–4 балл",
        "1–4 балла по уровню",
        12,
    ),
    (
        "dissemination",
        "Тәжірибені тарату",
        "Распространение опыта",
        "Әр іс-шара: зерттеуші 2, шебер 3 балл",
        "За мероприятие: исследователь 2, мастер 3 балла",
        15,
    ),
    (
        "pd_hours",
        "Біліктілікті арттыру курстары",
        "Курсы повышения квалификации",
        "Талап етілетін сағат және өз пәні бойынша курс: 0–10 балл",
        "Требуемые часы и курс по своему предмету: 0–10 баллов",
        10,
    ),
    (
        "class_teacher",
        "Сынып жетекшілігі",
        "Классное руководство",
        "1–3 балл",
        "1–3 балла",
        3,
    ),
)
