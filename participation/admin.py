"""Moderation of citizens' reports: an agency's operators for their own packages, supervisors
and administrators for all. Citizens' words are read-only here; what moderators set is the
verdict, the follow-up status and the public answer."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin
from participation import services
from participation.models import Moderation, Report


class ReportModerationForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["moderation", "rejection_reason", "status", "answer"]
        widgets = {
            "rejection_reason": forms.Textarea(attrs={"rows": 2}),
            "answer": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "moderation": _(
                "Terbitkan agar laporan tampil di halaman paket; tolak yang kasar, "
                "di luar topik atau berisi data pribadi orang lain."
            ),
            "rejection_reason": _(
                "Wajib bila ditolak. Tidak dipublikasikan; dikirim ke pelapor "
                "bila ia memberi alamat surel."
            ),
            "answer": _("Tampil di bawah laporan di halaman paket, atas nama perangkat daerah."),
            "status": _(
                "Pelapor yang memberi alamat surel diberi tahu sekali setiap penyimpanan "
                "yang menerbitkan, menolak, menjawab atau menyelesaikan laporannya."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("moderation") == Moderation.REJECTED
            and not (cleaned.get("rejection_reason") or "").strip()
        ):
            self.add_error("rejection_reason", gettext("Alasan penolakan wajib diisi."))
        return cleaned


class OpenFilter(admin.SimpleListFilter):
    title = _("perlu tindakan")
    parameter_name = "terbuka"

    def lookups(self, request, model_admin):
        return [("ya", _("Belum selesai")), ("tidak", _("Selesai atau ditolak"))]

    def queryset(self, request, queryset):
        if self.value() == "ya":
            return queryset.open()
        if self.value() == "tidak":
            return queryset.exclude(pk__in=queryset.open().values("pk"))
        return queryset


@admin.register(Report)
class ReportAdmin(CheckedQueryParametersMixin, admin.ModelAdmin):
    form = ReportModerationForm
    list_display = ["__str__", "created_at", "package", "agency", "moderation", "status"]
    list_filter = [OpenFilter, "moderation", "status", "topic"]
    list_select_related = ["process__agency"]
    search_fields = ["body", "place", "process__title", "process__ocid"]
    ordering = ["created_at", "pk"]  # oldest first: the longest waiting on top
    actions = ["publish_selected"]
    readonly_fields = [
        "package",
        "agency",
        "topic",
        "body",
        "place",
        "name",
        "contact",
        "photo_links",
        "created_at",
        "moderated_by",
        "moderated_at",
        "answered_by",
        "answered_at",
    ]
    fieldsets = [
        (
            _("Laporan warga"),
            {
                "fields": [
                    "package",
                    "agency",
                    "topic",
                    "body",
                    "place",
                    "name",
                    "contact",
                    "photo_links",
                    "created_at",
                ]
            },
        ),
        (
            _("Pemeriksaan dan tindak lanjut"),
            {"fields": ["moderation", "rejection_reason", "status", "answer"]},
        ),
        (
            _("Riwayat"),
            {"fields": ["moderated_by", "moderated_at", "answered_by", "answered_at"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).moderated_by(request.user)

    def has_add_permission(self, request):
        return False  # citizens send reports from the package page

    def has_delete_permission(self, request, obj=None):
        return request.user.is_administrator and super().has_delete_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return services.can_moderate(request.user, obj)

    @admin.display(description=_("paket"))
    def package(self, report):
        url = reverse("contracts:process-detail", args=[report.process_id])
        return format_html('<a href="{}">{}</a>', url, report.process.title)

    @admin.display(description=_("perangkat daerah"))
    def agency(self, report):
        return report.process.agency.short_name or report.process.agency.name

    @admin.display(description=_("foto"))
    def photo_links(self, report):
        photos = report.photos.all()
        if not photos:
            return "—"
        return format_html_join(
            " ",
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            (
                (
                    reverse("participation:photo", args=[photo.pk]),
                    gettext("Foto %(number)s") % {"number": index},
                )
                for index, photo in enumerate(photos, start=1)
            ),
        )

    def save_model(self, request, obj, form, change):
        # The form has checked the reason; the service checks who may moderate this report.
        services.moderate(
            report=obj,
            by=request.user,
            moderation=form.cleaned_data["moderation"],
            rejection_reason=form.cleaned_data["rejection_reason"],
            status=form.cleaned_data["status"],
            answer=form.cleaned_data["answer"],
        )

    @admin.action(description=_("Terbitkan laporan terpilih"), permissions=["change"])
    def publish_selected(self, request, queryset):
        published = 0
        for report in queryset.filter(moderation=Moderation.PENDING):
            services.moderate(
                report=report,
                by=request.user,
                moderation=Moderation.PUBLISHED,
                rejection_reason="",
                status=report.status,
                answer=report.answer,
            )
            published += 1
        self.message_user(
            request,
            ngettext("%(count)s laporan diterbitkan.", "%(count)s laporan diterbitkan.", published)
            % {"count": published},
            messages.SUCCESS,
        )
