"""Citizens' photos: only real JPEG or PNG images, re-encoded so nothing but pixels remains.

Re-encoding drops every piece of metadata (EXIF with GPS position and camera serials, XMP, text
chunks, ICC profiles) and any bytes hidden after the image. Oversized pictures are scaled down;
pixel bombs are refused before they are decoded.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
LONGEST_SIDE = 2560


def too_many_pixels():
    """The message (read when raised, in the active language)."""
    return gettext("%(name)s: gambar terlalu besar (jumlah piksel).")


@dataclass
class CleanPhoto:
    content: bytes
    content_type: str
    width: int
    height: int


def clean(uploaded):
    """A re-encoded copy of `uploaded`, or ValidationError saying what is wrong, in the active
    language."""
    name = getattr(uploaded, "name", None) or gettext("foto")
    if getattr(uploaded, "oversized", False) or uploaded.size > settings.REPORT_PHOTO_MAX_BYTES:
        limit = filesizeformat(settings.REPORT_PHOTO_MAX_BYTES)
        raise ValidationError(
            gettext("%(name)s: foto lebih dari %(limit)s.") % {"name": name, "limit": limit}
        )
    data = uploaded.read()
    try:
        with warnings.catch_warnings():
            # Pillow warns on big pictures and raises on bombs; both are refused here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                if kind not in FORMATS:
                    raise ValidationError(
                        gettext("%(name)s: hanya foto JPEG atau PNG yang diterima.")
                        % {"name": name}
                    )
                if probe.width * probe.height > settings.REPORT_PHOTO_MAX_PIXELS:
                    raise ValidationError(too_many_pixels() % {"name": name})
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(too_many_pixels() % {"name": name}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            gettext("%(name)s: bukan foto JPEG/PNG yang utuh.") % {"name": name}
        ) from None
    mode = "RGBA" if kind == "PNG" and upright.mode in ("RGBA", "LA", "P") else "RGB"
    pixels = upright.convert(mode)
    pixels.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    # A new image from the pixels alone: no info dict, no EXIF, no profile travels along.
    bare = Image.new(mode, pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    if kind == "JPEG":
        bare.save(out, "JPEG", quality=85, optimize=True)
    else:
        bare.save(out, "PNG", optimize=True)
    return CleanPhoto(out.getvalue(), FORMATS[kind], bare.width, bare.height)


def clean_each(files):
    """Each of `files` through photos.clean, on its own: ([(file name, photos.CleanPhoto)] of
    those that passed, [message naming the file and its reason, in the active language] of
    the others)."""
    passed, problems = [], []
    for item in files:
        try:
            passed.append((getattr(item, "name", "") or gettext("foto"), clean(item)))
        except ValidationError as error:
            problems.extend(error.messages)
    return passed, problems
