from django.core.management.base import BaseCommand, CommandError

from agencies.demo import DEMO_PASSWORD, DemoRefused, create_demo_accounts


class Command(BaseCommand):
    help = "Buat akun demo (hanya untuk instalasi lokal; ditolak di produksi)."

    def handle(self, *args, **options):
        try:
            accounts = create_demo_accounts()
        except DemoRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Akun demo (kata sandi untuk semua: {DEMO_PASSWORD}):")
        for user in accounts:
            where = f" — {user.agency.name}" if user.agency_id else ""
            role = user.groups.first().name
            self.stdout.write(f"  {user.username:<26} {role}{where}")
