"""Test data built the way the portal builds it: real rows in the real database."""

from itertools import count

from django.contrib.auth.models import Group

from agencies import roles
from agencies.models import Agency, User

_sequence = count(1)


def make_agency(**fields):
    number = next(_sequence)
    defaults = {
        "code": f"dinas-uji-{number}",
        "name": f"Dinas Uji {number}",
        "short_name": f"DU{number}",
        "kind": "dinas",
    }
    return Agency.objects.create(**{**defaults, **fields})


def make_user(*, role=None, agency=None, password="kata-sandi-uji-123", **fields):
    number = next(_sequence)
    user = User.objects.create_user(
        username=fields.pop("username", f"pengguna-{number}"),
        password=password,
        agency=agency,
        is_staff=role is not None,
        **fields,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_operator(agency, **fields):
    return make_user(role=roles.OPERATOR, agency=agency, **fields)


def make_supervisor(**fields):
    return make_user(role=roles.SUPERVISOR, **fields)


def make_administrator(**fields):
    return make_user(role=roles.ADMINISTRATOR, **fields)
