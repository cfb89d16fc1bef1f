"""Security headers on every answer: what a browser may load, run, frame and share.

The policy allows no inline script or style at all (no `unsafe-inline`, so no nonces either):
every script and style sheet is a file under /static/. Images may also come from the object
store's address when the files live there (report photos are redirects to signed URLs).
"""

from urllib.parse import urlsplit

from django.conf import settings

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


def content_security_policy():
    images = ["'self'", "data:"]
    if settings.S3_BUCKET:
        if settings.S3_ENDPOINT_URL:
            parts = urlsplit(settings.S3_ENDPOINT_URL)
            images.append(f"{parts.scheme}://{parts.netloc}")
        else:
            images.append("https://*.amazonaws.com")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": images,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    policy = "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())
    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        policy += "; upgrade-insecure-requests"
    return policy


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy and cross-origin isolation of resources."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not response.has_header("Access-Control-Allow-Origin"):
            # Open data and the API are meant to be fetched from anywhere; the rest is not.
            response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
