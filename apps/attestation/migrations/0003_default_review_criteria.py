"""Cycles made before the scoring sheet existed get the default one, and their rules the
early-attestation numbers (DOMAIN.md)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from apps.attestation.defaults import DEFAULT_REVIEW_CRITERIA, DEFAULT_RULES

    AttestationCycle = apps.get_model("attestation", "AttestationCycle")
    ReviewCriterion = apps.get_model("attestation", "ReviewCriterion")
    CategoryRule = apps.get_model("attestation", "CategoryRule")
    for cycle in AttestationCycle.objects.all():
        if not ReviewCriterion.objects.filter(cycle=cycle).exists():
            ReviewCriterion.objects.bulk_create(
                ReviewCriterion(
                    cycle=cycle,
                    code=code,
                    title_kk=kk,
                    title_ru=ru,
                    guidance_kk=guidance_kk,
                    guidance_ru=guidance_ru,
                    max_points=max_points,
                    order=n,
                )
                for n, (code, kk, ru, guidance_kk, guidance_ru, max_points) in enumerate(
                    DEFAULT_REVIEW_CRITERIA
                )
            )
    for code, values in DEFAULT_RULES.items():
        if values.get("early_min_achievements"):
            CategoryRule.objects.filter(
                category__code=code, early_min_achievements__isnull=True
            ).update(early_min_achievements=values["early_min_achievements"])


class Migration(migrations.Migration):
    dependencies = [("attestation", "0002_commissions_decisions_appeals")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
