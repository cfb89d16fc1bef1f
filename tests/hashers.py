"""A password hasher for the tests: Django's PBKDF2-SHA256 at 1,000 iterations.

Django's default (1,000,000 iterations, about 0.2 s a hash on the CI machine) is the point in
production and a cost in tests, where hundreds of operators are created and signed in. The
hashes keep Django's `pbkdf2_sha256$<iterations>$…` form, so a server started by a test under
the production settings (gunicorn, `runportal`) verifies them by the iterations they name.
tests/test_settings.py checks that the portal's own settings keep Django's strong default.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000
