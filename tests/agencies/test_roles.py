import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from agencies import roles
from agencies.roles import sync_roles
from tests.factories import make_administrator, make_agency, make_operator, make_supervisor


def permission_names(role):
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


@pytest.mark.django_db
def test_each_role_has_its_permissions():
    for role, names in roles.ROLE_PERMISSIONS.items():
        assert permission_names(role) == set(names)
    assert "agencies.change_agency" not in permission_names(roles.OPERATOR)
    assert "agencies.change_agency" not in permission_names(roles.SUPERVISOR)


@pytest.mark.django_db
def test_sync_restores_drifted_permissions():
    group = Group.objects.get(name=roles.OPERATOR)
    group.permissions.clear()
    sync_roles(apps)
    sync_roles(apps)
    assert permission_names(roles.OPERATOR) == set(roles.ROLE_PERMISSIONS[roles.OPERATOR])
    assert Group.objects.filter(name=roles.OPERATOR).count() == 1


@pytest.mark.django_db
def test_role_properties():
    agency = make_agency()
    operator = make_operator(agency)
    supervisor = make_supervisor()
    administrator = make_administrator()
    assert operator.is_operator and not operator.is_supervisor and not operator.is_administrator
    assert supervisor.is_supervisor and not supervisor.is_operator
    assert administrator.is_administrator and not administrator.is_operator

    # An operator without an agency can act on nothing; a deactivated account holds no role.
    homeless = make_operator(None)
    assert not homeless.is_operator
    operator.is_active = False
    assert not operator.is_operator


@pytest.mark.django_db
def test_operator_can_read_the_register_but_only_administrators_correct_it(client):
    agency = make_agency()
    operator = make_operator(agency)
    administrator = make_administrator()
    target = agency.pk

    client.force_login(operator)
    assert client.get(f"/admin/agencies/agency/{target}/change/").status_code == 200
    response = client.post(
        f"/admin/agencies/agency/{target}/change/",
        {"code": agency.code, "name": "Diubah Operator", "kind": "dinas", "is_active": "on"},
    )
    assert response.status_code == 403
    agency.refresh_from_db()
    assert agency.name != "Diubah Operator"

    client.force_login(administrator)
    response = client.post(
        f"/admin/agencies/agency/{target}/change/",
        {
            "code": agency.code,
            "name": "Dinas Uji Dikoreksi",
            "short_name": "DUD",
            "kind": "dinas",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.name == "Dinas Uji Dikoreksi"
