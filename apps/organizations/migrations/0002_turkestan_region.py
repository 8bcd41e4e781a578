"""Seed Turkestan region, its districts and cities (KATO codes from DOMAIN.md) and the
languages of instruction."""

from django.db import migrations

REGION = ("61", "Түркістан облысы", "Туркестанская область", "Turkestan region")
DISTRICTS = [
    ("6110", "city", "Түркістан қаласы", "г. Туркестан", "Turkistan city"),
    ("6116", "city", "Арыс қаласы", "г. Арысь", "Arys city"),
    ("6120", "city", "Кентау қаласы", "г. Кентау", "Kentau city"),
    ("6136", "district", "Бәйдібек ауданы", "район Байдибека", "Baidibek district"),
    ("6138", "district", "Жетісай ауданы", "Жетысайский район", "Zhetisai district"),
    ("6139", "district", "Келес ауданы", "Келесский район", "Keles district"),
    ("6140", "district", "Қазығұрт ауданы", "Казыгуртский район", "Kazygurt district"),
    ("6144", "district", "Мақтаарал ауданы", "Мактааральский район", "Maktaaral district"),
    ("6146", "district", "Ордабасы ауданы", "Ордабасинский район", "Ordabasy district"),
    ("6148", "district", "Отырар ауданы", "Отрарский район", "Otyrar district"),
    ("6152", "district", "Сайрам ауданы", "Сайрамский район", "Sairam district"),
    ("6154", "district", "Сарыағаш ауданы", "Сарыагашский район", "Saryagash district"),
    ("6155", "district", "Сауран ауданы", "район Сауран", "Sauran district"),
    ("6156", "district", "Созақ ауданы", "Сузакский район", "Sozak district"),
    ("6158", "district", "Төлеби ауданы", "Толебийский район", "Tolebi district"),
    ("6160", "district", "Түлкібас ауданы", "Тюлькубасский район", "Tulkibas district"),
    ("6164", "district", "Шардара ауданы", "Шардаринский район", "Shardara district"),
]
LANGUAGES = [
    ("kk", "қазақ тілі", "казахский язык", "Kazakh"),
    ("ru", "орыс тілі", "русский язык", "Russian"),
    ("uz", "өзбек тілі", "узбекский язык", "Uzbek"),
    ("en", "ағылшын тілі", "английский язык", "English"),
]


def seed(apps, schema_editor):
    Region = apps.get_model("organizations", "Region")
    District = apps.get_model("organizations", "District")
    InstructionLanguage = apps.get_model("organizations", "InstructionLanguage")
    kato, kk, ru, en = REGION
    region, _ = Region.objects.update_or_create(
        kato=kato, defaults={"name_kk": kk, "name_ru": ru, "name_en": en}
    )
    for kato, kind, kk, ru, en in DISTRICTS:
        District.objects.update_or_create(
            kato=kato,
            defaults={"region": region, "kind": kind, "name_kk": kk, "name_ru": ru, "name_en": en},
        )
    for code, kk, ru, en in LANGUAGES:
        InstructionLanguage.objects.update_or_create(
            code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en}
        )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
