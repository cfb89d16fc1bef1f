"""Demo accounts for a local install, so a new user can try each role at once.

Production never has them: the function refuses to run there.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from agencies import roles
from agencies.models import Agency, User


class DemoRefused(Exception):
    pass


DEMO_PASSWORD = "demo-bojonegoro"  # noqa: S105 (local installs only, see create_demo_accounts)

# username, full name, role, agency code (operators only)
DEMO_ACCOUNTS = [
    ("demo-admin", "Admin Kominfo (demo)", roles.ADMINISTRATOR, None),
    ("demo-pengawas", "Pengawas Bagian Pembangunan (demo)", roles.SUPERVISOR, None),
    (
        "demo-operator-pu",
        "Operator DPU Bina Marga (demo)",
        roles.OPERATOR,
        "dinas-pu-bina-marga-penataan-ruang",
    ),
    ("demo-operator-dinkes", "Operator Dinas Kesehatan (demo)", roles.OPERATOR, "dinas-kesehatan"),
    (
        "demo-operator-kecamatan",
        "Operator Kecamatan Bojonegoro (demo)",
        roles.OPERATOR,
        "kecamatan-bojonegoro",
    ),
]


@transaction.atomic
def create_demo_accounts():
    if settings.PRODUCTION:
        raise DemoRefused("Akun demo tidak pernah dibuat di produksi (DJANGO_ENV=production).")
    accounts = []
    for username, full_name, role, agency_code in DEMO_ACCOUNTS:
        first_name, _, last_name = full_name.partition(" ")
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": True,
                "is_active": True,
                "agency": Agency.objects.get(code=agency_code) if agency_code else None,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=role)])
        accounts.append(user)
    return accounts
