"""Finding text shown to users that does not go through a translation (issue #23).

Two scans, both over source text (no page is rendered):

- `untranslated_text(template_source)`: the words of a template left outside `{% translate %}`,
  `{% blocktranslate %}` and `{{ … }}` — text between tags and the visible attributes.
- `unmarked_strings(python_source)`: string literals in the places Django shows to users — model
  and form labels, help texts, choices, validation errors, messages, feed titles, mail subjects,
  widget placeholders, API error details — that are not the argument of a gettext call. Each is
  returned as (line, text).

Both skip words that read the same in both languages (SAME_IN_BOTH). A Python literal that is
data, not interface — OCDS text, demo packages, a stored record's wording — says so with the
comment `# i18n: data` on one of its lines.
"""

import ast
import re

# Formats, codes and names of systems: the same word in both languages.
SAME_IN_BOTH = {"ocid", "CSV", "XLSX", "JSON", "API", "SP2D", "NPWP", "NIP", "OCDS", "URL", "PDF"}

_TAG_BLOCKS = [
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", re.S),
    re.compile(r"<script\b.*?</script>", re.S),
    re.compile(r"<style\b.*?</style>", re.S),
]
_TAGS = re.compile(r"{%.*?%}|{{.*?}}", re.S)
# data-label: a stacked table's column name, shown on phones (CSS `content: attr(data-label)`).
_VISIBLE_ATTRIBUTES = re.compile(
    r'\b(?:aria-label|title|placeholder|alt|data-label|value|content)="([^"]*)"'
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_ENTITY = re.compile(r"&#?\w+;")


def _words(text):
    return [
        chunk
        for chunk in text.split()
        if chunk.strip(".,:;()") not in SAME_IN_BOTH and _WORD.search(chunk)
    ]


def untranslated_text(source):
    """The user-visible words of a template source left outside translation tags."""
    for pattern in _TAG_BLOCKS:
        source = pattern.sub(" ", source)
    # {% translate "…" %} inside an attribute is a tag like any other once removed.
    source = _TAGS.sub(" ", source)
    # Character references (&rsaquo;, &nbsp;) are punctuation, not words.
    source = _ENTITY.sub(" ", source)
    found = []
    for match in _VISIBLE_ATTRIBUTES.finditer(source):
        attribute = match.group(0).split("=", 1)[0]
        # value= and content= carry words only on buttons and meta descriptions.
        if attribute in ("value", "content") and not _looks_like_prose(match.group(1)):
            continue
        found.append(match.group(1))
    found.extend(re.findall(r">([^<]+)<", source))
    words = []
    for text in found:
        words.extend(_words(text))
    return words


def _looks_like_prose(value):
    # A viewport's "width=device-width, initial-scale=1" is settings, not words.
    return " " in value.strip() and "=" not in value and bool(_WORD.search(value))


# --- Python -------------------------------------------------------------------------------

TRANSLATING_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# Keyword arguments and class attributes Django (or our code) shows to users.
USER_KEYWORDS = {
    "verbose_name",
    "verbose_name_plural",
    "help_text",
    "label",
    "empty_label",
    "empty_value_display",
    "short_description",
    "description",
    "title",
    "subject",
    "placeholder",
    "message",
}
# Calls whose text argument (by position) is shown to users.
USER_CALLS = {
    "ValidationError": 0,
    "success": 1,
    "error": 1,
    "warning": 1,
    "info": 1,
    "add_message": 2,
    "add_error": 1,
    "send_mail": 0,
}
# Dictionary keys whose value is shown to users: widget attributes, API error details.
USER_KEYS = {"placeholder", "aria-label", "title", "detail", "pesan"}


def _text_of(node):
    """The literal text of a str constant or f-string, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    return None


def _shown(node):
    text = _text_of(node)
    return text is not None and bool(_words(text))


DATA_MARK = "# i18n: data"


class _Finder(ast.NodeVisitor):
    def __init__(self, lines):
        self.found = []
        self._lines = lines

    def _flag(self, node):
        if not _shown(node):
            return
        lines = self._lines[node.lineno - 1 : node.end_lineno]
        if any(DATA_MARK in line for line in lines):
            return
        self.found.append((node.lineno, _text_of(node)))

    def visit_ClassDef(self, node):
        bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
        is_choices = bool(bases & {"TextChoices", "IntegerChoices", "Choices"})
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            names = {getattr(t, "id", None) for t in statement.targets}
            if names & USER_KEYWORDS:
                self._flag(statement.value)
            elif is_choices and isinstance(statement.value, ast.Tuple):
                # LABEL = "code", "Shown label"
                for element in statement.value.elts[1:]:
                    self._flag(element)
        self.generic_visit(node)

    def visit_Call(self, node):
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name in TRANSLATING_CALLS:
            return  # what is inside is marked
        for keyword in node.keywords:
            if keyword.arg in USER_KEYWORDS:
                self._flag(keyword.value)
            elif keyword.arg == "choices":
                self._choices(keyword.value)
            elif keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                for value in keyword.value.values:
                    self._flag(value)
        # models.CharField("Nama paket", …): a field's first argument is its verbose name.
        if name and name.endswith("Field") and node.args:
            self._flag(node.args[0])
        position = USER_CALLS.get(name)
        if position is not None and len(node.args) > position:
            self._flag(node.args[position])
        self.generic_visit(node)

    def visit_Dict(self, node):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in USER_KEYS:
                self._flag(value)
        self.generic_visit(node)

    def _choices(self, node):
        if isinstance(node, (ast.List, ast.Tuple)):
            for pair in node.elts:
                if isinstance(pair, ast.Tuple) and len(pair.elts) == 2:
                    self._flag(pair.elts[1])


def unmarked_strings(source):
    """[(line, text)] of the user-facing string literals of a Python source not marked for
    translation."""
    finder = _Finder(source.splitlines())
    finder.visit(ast.parse(source))
    return sorted(finder.found)
