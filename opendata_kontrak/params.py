"""Whole numbers read from an address or a form, as a person or a link writes them.

`str.isdigit()` accepts superscripts and other scripts' digits ("²", "٣"), some of which
`int()` then refuses, and `int()` takes numbers of any length that no database column holds:
both ended in server errors. Only ASCII digits, within a number of digits, count here.
"""


def whole_number(value, *, max_digits=18):
    """The non-negative integer `value` spells in ASCII digits, or None."""
    text = str(value).strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
