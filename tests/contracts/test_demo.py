import pytest
from django.core.management import CommandError, call_command

from contracts.models import Process, StageCompleteness, Status


@pytest.mark.django_db
def test_sample_packages_go_through_the_stages_with_real_pdfs(media_root, capsys):
    call_command("create_demo_accounts")
    call_command("create_demo_processes")
    call_command("create_demo_processes")  # a second run adds nothing
    samples = Process.objects.filter(is_sample=True)
    assert samples.count() == 5
    assert all(p.title.startswith("[CONTOH]") for p in samples)
    assert samples.filter(status=Status.PUBLISHED).count() == 4
    road = samples.get(title__contains="Rehabilitasi Jalan")
    stages = StageCompleteness.objects.filter(process=road)
    assert stages.count() == 5 and all(row.is_complete for row in stages)
    document = road.documents.first()
    assert (media_root / document.file.name).read_bytes().startswith(b"%PDF-")
    assert "DOKUMEN CONTOH" in document.text
    assert "Paket contoh sudah ada." in capsys.readouterr().out


@pytest.mark.django_db
def test_no_samples_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="tidak pernah dibuat di produksi"):
        call_command("create_demo_processes")
    assert not Process.objects.exists()
