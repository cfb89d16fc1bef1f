"""The benchmark's supervisor (scripts/bench.py) signs in by a session it writes itself: the
portal must accept it, or `make bench` loops on the sign-in page at the supervisors' matrix."""

import importlib.util
from pathlib import Path

import pytest

from agencies import roles


@pytest.mark.django_db
def test_the_benchmarks_supervisor_session_opens_the_matrix(client):
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name=roles.SUPERVISOR)
    path = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"
    spec = importlib.util.spec_from_file_location("bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    name, value = bench.supervisor_cookie().split("=", 1)
    client.cookies[name] = value
    assert client.get("/pengawasan/").status_code == 200
