"""The text the API's documentation page (`/api/`) shows from its OpenAPI document.

opendata/openapi.yaml is the API's description, kept in Indonesian: served as it is at
/api/v1/openapi.json (one document, one ETag, for every client). The page built from it
(opendata.openapi.operations) reads in the page's language, so its summaries and descriptions
are marked here for the catalogue (makemessages reads no YAML) and translated where the page
shows them (`{% translate operation.summary %}`). tests/i18n/test_api_language.py fails when the
document shows a text not listed here: change both together.
"""

from django.utils.translation import gettext_noop

SHOWN = [
    gettext_noop("Pintu masuk API"),
    gettext_noop("Alamat setiap daftar, dokumentasi dan lisensi data."),
    gettext_noop("Alamat-alamat API."),
    gettext_noop(
        "Parameter yang tidak valid (saringan, halaman, penunjuk, karakter NUL); "
        "`masalah` menyebut setiap saringan yang salah."
    ),
    gettext_noop("Lewat batas permintaan per alamat; coba lagi setelah `Retry-After` detik."),
    gettext_noop(
        "Basis data sedang tidak terjangkau (mulai ulang, alih-gagal); coba lagi sebentar."
    ),
    gettext_noop("Deskripsi OpenAPI 3.1 API ini"),
    gettext_noop(
        "Dokumen ini. Skema OCDS dirujuk ke alamat resminya di "
        "standard.open-contracting.org. Boleh disimpan di tembolok (`Cache-Control`, "
        "`ETag`)."
    ),
    gettext_noop("`ETag` dokumen yang tersimpan; bila masih sama, jawabannya 304 tanpa isi."),
    gettext_noop("Dokumen OpenAPI 3.1."),
    gettext_noop("Dokumen tidak berubah sejak `ETag` yang dikirim di `If-None-Match`."),
    gettext_noop("Daftar paket"),
    gettext_noop(
        "Paket yang dipublikasikan, dengan saringan, pencarian dan urutan yang sama "
        "seperti daftar paket di situs. Saringan yang tidak valid dijawab 400 dengan "
        "daftar `masalah`; nilai kosong berarti tanpa saringan itu. Pada urutan `terbaru` "
        "(bawaan tanpa `q`) dan `nama`, tautan `next` memakai penunjuk `setelah` yang "
        "sama cepatnya di kedalaman mana pun."
    ),
    gettext_noop(
        "Kata yang dicari; setiap kata harus ada, urutan bebas. Selain huruf dan angka, "
        'semua tanda (termasuk tanda hubung, "Ngumpakdalem - Ngujo") hanya pemisah kata: '
        'tidak ada sintaks pencarian (tanpa -kecuali, or, "frasa"). Dicari di judul, '
        "kode, nama perangkat daerah atau penyedia, tempat, isi dokumen. Dipotong pada "
        "200 karakter. Dengan `q`, urutan bawaan `relevan`."
    ),
    gettext_noop("Tahun anggaran."),
    gettext_noop(
        "Kode perangkat daerah (lihat `/api/v1/perangkat-daerah/`). Dipotong pada 80 karakter."
    ),
    gettext_noop("Jenis perangkat daerah."),
    gettext_noop("Tahap terakhir yang dicapai paket."),
    gettext_noop("Metode pemilihan penyedia."),
    gettext_noop("Jenis pengadaan."),
    gettext_noop("Sumber dana (salah satu dari sumber dana paket)."),
    gettext_noop(
        'Kecamatan lokasi, bagaimanapun ejaannya di daftar kecamatan ("Kec. Sumberrejo" '
        "menemukan Sumberejo); nama di luar daftar dicocokkan apa adanya. Dipotong pada "
        "100 karakter."
    ),
    gettext_noop(
        "Id penyedia (lihat `/api/v1/penyedia/`); paket yang dimenangkan atau diikutinya."
    ),
    gettext_noop("`ya`: semua tahap wajib lengkap; `tidak`: ada yang belum."),
    gettext_noop(
        "Pagu terendah, dalam rupiah (pemisah ribuan titik atau koma, awalan `Rp` atau "
        "`IDR` boleh)."
    ),
    gettext_noop(
        "Pagu tertinggi, dalam rupiah (pemisah ribuan titik atau koma, awalan `Rp` atau "
        "`IDR` boleh)."
    ),
    gettext_noop("Tanda untuk dicermati (red flag) yang dimiliki paket."),
    gettext_noop(
        "Urutan: `terbaru` (bawaan), `nilai` (pagu terbesar), `nilai_kecil`, `kontrak` "
        "(nilai kontrak terbesar, paket tanpa kontrak terakhir), `nama`, `relevan` (hanya "
        "bersama `q`; tanpa `q` berarti `terbaru`)."
    ),
    gettext_noop(
        "Nomor halaman, mulai 1. Nomor halaman hanya melayani 10.000 baris pertama "
        "(halaman kali per_halaman); lebih jauh, 400: ikuti `next`. Halaman setelah yang "
        "terakhir: 404."
    ),
    gettext_noop("Jumlah hasil per halaman."),
    gettext_noop(
        "Penunjuk halaman berikut: id baris terakhir halaman sebelumnya, seperti pada "
        "tautan `next`. Hanya untuk urutan nama dan terbaru, dan hanya id yang ada di "
        "daftar yang sama (dengan saringan yang sama); selain itu 400."
    ),
    gettext_noop("Satu halaman paket."),
    gettext_noop("Tidak ada, belum atau tidak lagi dipublikasikan, atau halaman di luar daftar."),
    gettext_noop("Satu paket"),
    gettext_noop(
        "Data setiap tahap, kelengkapan, dokumen, peserta tender, tanda untuk dicermati "
        "dan tautan ke OCDS-nya. Paket yang belum atau tidak lagi dipublikasikan: 404."
    ),
    gettext_noop(
        "Open Contracting ID paket: awalan ocid portal (`ocds-` dan 6 karakter) lalu id paket."
    ),
    gettext_noop("Paket itu."),
    gettext_noop("Daftar perangkat daerah"),
    gettext_noop(
        "Perangkat daerah yang aktif, urut nama, dengan jumlah paket, pagu dan nilai kontrak."
    ),
    gettext_noop("Satu halaman perangkat daerah."),
    gettext_noop("Satu perangkat daerah"),
    gettext_noop("Dengan jumlah paket, pagu dan nilai kontrak per tahun anggaran."),
    gettext_noop("Kode perangkat daerah, seperti pada `kode` di daftar."),
    gettext_noop("Perangkat daerah itu."),
    gettext_noop("Daftar penyedia"),
    gettext_noop("Penyedia yang menang atau ikut tender paket yang dipublikasikan, urut nama."),
    gettext_noop(
        "Bagian nama, atau awal NPWP (paling sedikit 6 angka; tanda baca diabaikan). "
        "Dipotong pada 100 karakter."
    ),
    gettext_noop("Satu halaman penyedia."),
    gettext_noop("Satu penyedia"),
    gettext_noop("Dengan kemenangan per tahun anggaran dan jumlah tender yang diikuti."),
    gettext_noop("Id penyedia, seperti pada `id` di daftar."),
    gettext_noop("Penyedia itu."),
    gettext_noop("Paket rilis OCDS satu paket"),
    gettext_noop(
        "Setiap rilis paket itu, dari perencanaan sampai implementasi, dalam satu paket "
        "rilis OCDS 1.1.5 (dengan ekstensi tanda untuk dicermati)."
    ),
    gettext_noop("Paket rilis OCDS."),
    gettext_noop("Paket rekaman OCDS satu paket"),
    gettext_noop("Rekaman paket itu: riwayat rilisnya dan rilis terkompilasi (keadaan terakhir)."),
    gettext_noop("Paket rekaman OCDS."),
]
