from django.urls import reverse
from apps.attestation.models import *  # noqa
from .test_queue_views import apply


def test_admin_pages(client, world, cycle):
    a = apply(world, cycle, world.teacher_a)
    client.force_login(world.users["superuser"])
    for model, obj in [(AttestationCycle, cycle), (Application, a), (EvidenceItem, a.evidence.first()), (ApplicationEvent, a.events.first()), (TestResult, TestResult.objects.first()), (LessonObservation, None), (CategoryFreeze, None), (TestResultImport, None)]:
        name = model._meta.model_name
        r = client.get(reverse(f"admin:attestation_{name}_changelist"))
        assert r.status_code == 200, name
        if obj:
            r = client.get(reverse(f"admin:attestation_{name}_change", args=[obj.pk]))
            assert r.status_code == 200, name
    assert client.get(reverse("admin:attestation_categoryfreeze_add")).status_code == 200
    r = client.post(reverse("admin:attestation_attestationcycle_change", args=[cycle.pk]), {})
    print(r.status_code)
