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
