"""How a typed search is read, for every place that searches packages: the public list and its
API, the agency documents beside it, the operator's to-do, the field page's picker and the
admin's package list.

A search is a list of words, each of which must appear (any order, any case, accents and
Indonesian affixes forgiven by the `indonesian_unaccent` text search configuration). Anything
that is not a letter or a digit separates words: titles write road segments as
"Ngumpakdalem - Ngujo" or "Ngumpakdalem-Ngujo", and a citizen copies them as written, so a
hyphen is never read as "not" and a "-" between words never as an operator. There is no
search syntax at all (no negation, no OR, no quoted phrase): the filters beside the list narrow
a search, and a portal for citizens should not need a manual.
"""

import re

from django.contrib.postgres.search import SearchQuery
from django.db.models import Q

SEARCH_CONFIG = "indonesian_unaccent"
# Enough for any title; a pasted paragraph is cut rather than made into a huge query.
MAX_WORDS = 16
_WORD = re.compile(r"[^\W_]+")


def word_count(text):
    """How many words `text` holds, past MAX_WORDS too (search_words keeps only the first
    MAX_WORDS): for a form that must refuse a search it would read only in part."""
    return len(_WORD.findall(text or ""))


def search_words(text):
    """The words of a typed search: runs of letters and digits, at most MAX_WORDS, in order.

    "Ngumpakdalem - Ngujo", "Ngumpakdalem-Ngujo" and "ngumpakdalem ngujo" give the same two
    words; a text with no letter or digit gives [].
    """
    return _WORD.findall(text or "")[:MAX_WORDS]


def words_query(text):
    """A SearchQuery that every word of `text` must match, or None when `text` has no word."""
    words = search_words(text)
    if not words:
        return None
    # plainto_tsquery ANDs the words; joined by spaces, none of them can form a compound.
    return SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="plain")


# Codes as they are typed: an operator pastes them whole, slashes and dots included.
CODE_FIELDS = ["rup_code", "tender_code", "contract_number", "ocid"]


def package_search(text, *, prefix="", codes=False):
    """Q for the packages a search finds: every word of `text` in the package's search text
    (contracts.completeness.SEARCH_VECTOR: title, ocid, kode RUP, kode tender and contract
    number, names, places, description, documents), so a kode RUP typed alone finds its package
    exactly (a code is one word, never part of one). With `codes`, a text equal to one of
    CODE_FIELDS as written also finds its package (a contract number "027/15/412.206/2018" is
    not words); for operators' lists, which are one agency's and small. `prefix` reaches the
    package from another model ("process__"). A text without a letter or digit finds nothing.
    """
    text = (text or "").strip()
    query = words_query(text)
    found = Q(**{f"{prefix}search_vector": query}) if query is not None else Q(pk__in=[])
    if codes and text:
        for name in CODE_FIELDS:
            found |= Q(**{f"{prefix}{name}": text})
    return found
