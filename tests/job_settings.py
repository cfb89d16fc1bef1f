"""The portal's settings plus the test-only probe task (tests/job_probe.py), for the worker
processes the job tests start."""

from opendata_kontrak.settings import *  # noqa: F403

PROCRASTINATE_IMPORT_PATHS = ["tests.job_probe", "opendata_kontrak.cluster_probe"]
