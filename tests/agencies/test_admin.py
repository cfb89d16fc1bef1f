"""Accounts in the workspace (issue 17, finding 5): administrators manage accounts and roles;
superuser status and raw permissions are a superuser's to grant."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from agencies import roles
from agencies.models import Agency, User
from tests.admin_forms import form_data
from tests.factories import make_administrator, make_operator


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"))


def change_url(user):
    return reverse("admin:agencies_user_change", args=[user.pk])


def user_form(page, **overrides):
    # The joining date is two inputs on the page (date, time).
    joined = {"date_joined": None, "date_joined_0": "2018-01-02", "date_joined_1": "08:00:00"}
    return form_data(page, **joined, **overrides)


@pytest.mark.django_db
def test_an_administrator_cannot_make_anyone_superuser_or_grant_raw_permissions(client, operator):
    administrator = make_administrator()
    client.force_login(administrator)
    stray = Group.objects.create(name="Bukan peran")
    permission = Permission.objects.get(codename="change_group")
    for target in (administrator, operator):
        page = client.get(change_url(target))
        html = page.content.decode()
        assert 'name="is_superuser"' not in html and 'name="user_permissions"' not in html
        assert f'value="{stray.pk}"' not in html  # only the portal's roles are offered
        data = user_form(page, is_superuser="on", user_permissions=[str(permission.pk)])
        client.post(change_url(target), data)
        target.refresh_from_db()
        assert not target.is_superuser and not target.user_permissions.exists()
        # A group beyond the roles is refused, and nothing else of that POST is kept.
        client.post(change_url(target), user_form(page, groups=[str(stray.pk)], first_name="X"))
        target.refresh_from_db()
        assert not target.groups.filter(pk=stray.pk).exists() and target.first_name != "X"
    # Roles are the administrator's to hand out.
    supervisor = Group.objects.get(name=roles.SUPERVISOR)
    page = client.get(change_url(operator))
    client.post(change_url(operator), user_form(page, groups=[str(supervisor.pk)]))
    assert set(operator.groups.values_list("name", flat=True)) == {roles.SUPERVISOR}


@pytest.mark.django_db
def test_a_superusers_account_is_a_superusers_to_change(client):
    root = User.objects.create_superuser("akar", password="kata-sandi-uji-123")
    client.force_login(make_administrator())
    assert client.get(change_url(root)).status_code == 200  # read, not changed
    page = client.get(change_url(root))
    client.post(change_url(root), user_form(page, first_name="Diambil alih"))
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert client.get(password_url).status_code == 403
    root.refresh_from_db()
    assert root.first_name != "Diambil alih"


@pytest.mark.django_db
def test_a_superuser_grants_what_administrators_cannot(client, operator):
    client.force_login(User.objects.create_superuser("akar", password="kata-sandi-uji-123"))
    page = client.get(change_url(operator))
    assert 'name="is_superuser"' in page.content.decode()
    client.post(change_url(operator), user_form(page, is_superuser="on"))
    operator.refresh_from_db()
    assert operator.is_superuser


@pytest.mark.django_db
def test_administrators_and_their_authenticators_are_a_superusers_to_manage(client, operator):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    other = make_administrator()
    root = User.objects.create_superuser("akar", password="kata-sandi-uji-123")
    devices = {
        u: TOTPDevice.objects.create(user=u, name="hp", confirmed=True)
        for u in (other, root, operator)
    }
    client.force_login(make_administrator())

    # Another administrator's password and a superuser's or administrator's authenticator: no.
    assert (
        client.get(reverse("admin:auth_user_password_change", args=[other.pk])).status_code == 403
    )
    for account in (other, root):
        url = reverse("admin:otp_totp_totpdevice_delete", args=[devices[account].pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert TOTPDevice.objects.filter(pk=devices[account].pk).exists()
    # An operator's, who lost their phone: yes.
    url = reverse("admin:otp_totp_totpdevice_delete", args=[devices[operator].pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=devices[operator].pk).exists()
    assert (
        client.get(reverse("admin:auth_user_password_change", args=[operator.pk])).status_code
        == 200
    )


@pytest.mark.django_db
def test_a_role_not_the_staff_flag_opens_the_workspace(client):
    password = "kata-sandi-uji-123"
    roleless = User.objects.create_user("tanpa-peran", password=password, is_staff=True)
    client.force_login(roleless)
    assert client.get("/admin/").status_code == 302  # to the sign-in page
    client.logout()
    answer = client.post(
        reverse("admin:login"), {"username": "tanpa-peran", "password": password, "next": "/admin/"}
    )
    assert "_auth_user_id" not in client.session
    assert "salah" in answer.content.decode()  # the one refusal, as for a wrong password

    # An administrator's account made without the staff flag signs in by its role.
    admin_account = User.objects.create_user("admin-baru", password=password, is_staff=False)
    admin_account.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    client.post(
        reverse("admin:login"), {"username": "admin-baru", "password": password, "next": "/admin/"}
    )
    assert "_auth_user_id" in client.session
    assert client.get("/admin/").status_code == 200
