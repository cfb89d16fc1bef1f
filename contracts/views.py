from django.shortcuts import render

from agencies.models import Agency


def home(request):
    return render(request, "contracts/home.html", {"agency_count": Agency.objects.active().count()})
