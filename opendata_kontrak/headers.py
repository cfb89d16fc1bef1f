"""Security headers django-csp does not set: what a page may use and who may embed it.

The Content-Security-Policy itself is configured in settings (CONTENT_SECURITY_POLICY) and set
by django-csp's middleware, which sits just above this one.
"""

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    ]
)


class SecurityHeadersMiddleware:
    """Permissions-Policy and cross-origin isolation of resources."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not response.has_header("Access-Control-Allow-Origin"):
            # Open data and the API are meant to be fetched from anywhere; the rest is not.
            response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
