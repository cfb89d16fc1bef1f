"""The administrators' list of unresolved location texts (agencies.UnresolvedPlace): mapping
one moves the packages that carry it (contracts.locations.map_place), so this admin is
contracts', above the register; contracts.admin imports it to register it."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agencies.admin import PlaceRegisterAdmin
from agencies.models import Desa, Kecamatan, UnresolvedPlace
from contracts.locations import map_place


class MapPlaceForm(forms.ModelForm):
    """An administrator's answer for an unresolved text: its kecamatan and, if known, desa."""

    kecamatan = forms.ModelChoiceField(Kecamatan.objects.all(), label=_("Kecamatan"))
    desa = forms.ModelChoiceField(
        Desa.objects.select_related("kecamatan"),
        label=_("Desa/kelurahan"),
        required=False,
        help_text=_("Kosongkan bila teks ini hanya menyebut kecamatan."),
    )

    class Meta:
        model = UnresolvedPlace
        fields = []

    def clean(self):
        data = super().clean()
        kecamatan, desa = data.get("kecamatan"), data.get("desa")
        if kecamatan and desa and desa.kecamatan_id != kecamatan.pk:
            self.add_error(
                "desa",
                gettext("%(desa)s ada di Kecamatan %(kecamatan)s, bukan %(chosen)s.")
                % {"desa": desa.name, "kecamatan": desa.kecamatan.name, "chosen": kecamatan},
            )
        return data


@admin.register(UnresolvedPlace)
class UnresolvedPlaceAdmin(PlaceRegisterAdmin):
    """Location texts from imports that no rule placed: map each once, and the packages that
    carry it, now and in later imports, get its kecamatan."""

    form = MapPlaceForm
    list_display = ["example", "package_count", "last_seen"]
    search_fields = ["text", "example"]
    readonly_fields = ["example", "text", "package_count", "last_seen"]
    fieldsets = [
        (None, {"fields": ["example", "text", "package_count", "last_seen"]}),
        (_("Petakan ke register wilayah"), {"fields": ["kecamatan", "desa"]}),
    ]

    def has_add_permission(self, request):
        return False  # the imports fill this list

    def save_model(self, request, obj, form, change):
        changed = map_place(
            unresolved=obj,
            kecamatan=form.cleaned_data["kecamatan"],
            desa=form.cleaned_data["desa"],
            by=request.user,
        )
        place = form.cleaned_data["desa"] or gettext("Kecamatan %(name)s") % {
            "name": form.cleaned_data["kecamatan"]
        }
        self.message_user(
            request,
            ngettext(
                "“%(text)s” dipetakan ke %(place)s; %(count)s paket diperbarui. Impor berikutnya "
                "memakai padanan ini juga.",
                "“%(text)s” dipetakan ke %(place)s; %(count)s paket diperbarui. Impor berikutnya "
                "memakai padanan ini juga.",
                changed,
            )
            % {"text": obj.example[:80], "place": place, "count": changed},
            messages.SUCCESS,
        )

    def response_change(self, request, obj):
        # The text left the list: back to what remains, without the default "changed" note.
        return HttpResponseRedirect(reverse("admin:agencies_unresolvedplace_changelist"))
