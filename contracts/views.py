from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render

from agencies.models import Agency
from contracts.models import Document, Process


def home(request):
    return render(request, "contracts/home.html", {"agency_count": Agency.objects.active().count()})


def document_download(request, pk):
    """A package's document: for anyone once published, before that only for its own people.

    Anyone else gets 404, so a draft's existence is not revealed either.
    """
    allowed = Process.objects.public_or_visible_to(request.user)
    document = get_object_or_404(
        Document.objects.filter(process__in=allowed).select_related("process"), pk=pk
    )
    disposition = "attachment" if request.GET.get("unduh") else "inline"
    if not _is_local(default_storage):
        # Object storage: a short-lived signed URL, so the file never streams through a worker.
        return HttpResponseRedirect(
            default_storage.url(
                document.file.name,
                parameters={
                    "ResponseContentType": "application/pdf",
                    "ResponseContentDisposition": _disposition(disposition, document),
                },
            )
        )
    try:
        handle = default_storage.open(document.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404("Berkas dokumen tidak ditemukan.") from error
    response = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=disposition == "attachment",
        filename=document.original_filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (
        "private, no-store" if not document.process.is_published else ("public, max-age=3600")
    )
    return response


def _disposition(kind, document):
    from django.utils.http import content_disposition_header

    return content_disposition_header(kind == "attachment", document.original_filename)


def _is_local(storage):
    try:
        storage.path("")
    except NotImplementedError:
        return False
    return True
