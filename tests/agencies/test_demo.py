import pytest
from django.core.management import CommandError, call_command

from agencies import roles
from agencies.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from agencies.models import User


@pytest.mark.django_db
def test_demo_accounts_cover_every_role_locally(capsys):
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")  # running it again is harmless
    users = {u.username: u for u in User.objects.prefetch_related("groups")}
    assert len(users) == len(DEMO_ACCOUNTS)
    assert users["demo-admin"].is_administrator
    assert users["demo-pengawas"].is_supervisor
    operator = users["demo-operator-pu"]
    assert operator.is_operator
    assert operator.agency.code == "dinas-pu-bina-marga-penataan-ruang"
    assert operator.check_password(DEMO_PASSWORD)
    assert {u.groups.get().name for u in users.values()} == {
        roles.ADMINISTRATOR,
        roles.SUPERVISOR,
        roles.OPERATOR,
    }
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "demo-operator-pu" in out


@pytest.mark.django_db
def test_demo_accounts_never_exist_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="tidak pernah dibuat di produksi"):
        call_command("create_demo_accounts")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_login_works_locally(client):
    call_command("create_demo_accounts")
    # Through the sign-in page, as a person would (the lockout vets every authenticate()).
    response = client.post(
        "/admin/login/",
        {"username": "demo-operator-dinkes", "password": DEMO_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
