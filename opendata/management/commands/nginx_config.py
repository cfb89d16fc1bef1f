from django.core.management.base import BaseCommand

from opendata_kontrak import nginx


class Command(BaseCommand):
    help = (
        "Cetak berkas situs nginx untuk portal ini (deploy/nginx/opendata-kontrak.conf diisi): "
        "nama host, sertifikat, alamat gunicorn; batas ukuran kiriman dari pengaturan portal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--server-name", required=True, help="mis. kontrak.bojonegorokab.go.id")
        parser.add_argument("--certificate", required=True, help="fullchain.pem")
        parser.add_argument("--certificate-key", required=True, help="privkey.pem")
        parser.add_argument(
            "--upstream",
            action="append",
            help="alamat gunicorn (runportal --bind), atau unix:/jalur/soket; ulangi untuk "
            "beberapa server aplikasi (bawaan 127.0.0.1:8000)",
        )
        parser.add_argument("--http-listen", default="80")
        parser.add_argument("--https-listen", default="443")

    def handle(self, *args, **options):
        self.stdout.write(
            nginx.render_site(
                server_name=options["server_name"],
                certificate=options["certificate"],
                certificate_key=options["certificate_key"],
                upstream=options["upstream"] or ["127.0.0.1:8000"],
                http_listen=options["http_listen"],
                https_listen=options["https_listen"],
            ),
            ending="",
        )
