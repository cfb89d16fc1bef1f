"""Which language a request is answered in, and the same page's address in the other one.

The address decides, never the browser. Indonesian is the portal's language and its pages keep
their addresses without a prefix (every link already given out still opens the same Indonesian
page, whatever the reader's browser asks for); English is the same address under `/en/`
(`/paket/12/` and `/en/paket/12/`). Two exceptions, outside the public pages' prefix:

- the workspace (`/admin/...`) follows the operator's own choice, the `django_language` cookie
  that Django's `set_language` view (`/i18n/setlang/`) sets; without it, Indonesian. Not the
  browser's Accept-Language: an operator whose browser is set to English keeps the Indonesian
  workspace until they choose otherwise.
- health checks, the sitemap and the favicon carry no language.

Files, feeds, OCDS and the API live in the same URL namespaces as the pages (`contracts:`,
`opendata:`), and a namespace cannot be split across the prefix without renaming names that
templates and tests reverse: they answer under `/en/` as well, with the same (language-neutral)
content. Their Indonesian address stays the canonical one, and what they carry as data is
reversed under it (`canonical_reverse`). The API alone also reads Accept-Language, for its
messages only (`api_language`): its answers name their language and vary by that header.
Answers made before PortalLocaleMiddleware runs (a refused request, an outage) take their
language from `answer_language`.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, URLResolver, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.utils.translation.trans_real import parse_accept_lang_header

WORKSPACE_PREFIX = "/admin/"


def prefixed_languages():
    """The languages whose pages sit under a prefix: every one but the default (["en"])."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class LanguagePrefix(LocalePrefixPattern):
    """`/en/` for English, nothing for Indonesian: the public pages' prefix.

    Django's own pattern matches only the active language's prefix; this one matches whichever
    prefix the address carries (or none), so that a page resolves the same whatever language is
    active: the bulk upload under `/admin/unggah-massal/`, a public-page pattern, opens in the
    English an operator chose for the workspace. Reversing still adds the active language's
    prefix, as Django's does.
    """

    def match(self, path):
        for code in prefixed_languages():
            if path.startswith(f"{code}/"):
                return path.removeprefix(f"{code}/"), (), {}
        return path, (), {}


def language_patterns(*urls):
    """Django's `i18n_patterns(*urls, prefix_default_language=False)`, with `LanguagePrefix`."""
    return [URLResolver(LanguagePrefix(prefix_default_language=False), list(urls))]


def workspace_language(request):
    """The operator's chosen language (the cookie of `set_language`), else the default."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    try:
        return translation.get_supported_language_variant(chosen) if chosen else None
    except LookupError:
        return None


class PortalLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware with the portal's rule: the address decides (module docstring).

    Django's own would follow the browser's Accept-Language on every address outside the
    prefixed patterns and send `Vary: Accept-Language` with every unprefixed page; here an
    unprefixed page is always Indonesian, so nothing varies but the workspace (by its cookie).
    """

    def process_request(self, request):
        language = translation.get_language_from_path(request.path_info)
        if language is None and request.path_info.startswith(WORKSPACE_PREFIX):
            language = workspace_language(request)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if request.path_info.startswith(WORKSPACE_PREFIX):
            patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def page_in(request, language):
    """This page's address (path and query) in `language`: `/paket/?tahun=2019` in "en" ->
    `/en/paket/?tahun=2019`, and back. The public pages' paths are the same in every language
    (only the prefix differs, see LanguagePrefix), so this is the prefix swapped, with no
    resolving on every page; an address outside the public pages (the workspace) comes back
    unchanged."""
    path = request.path
    for code in prefixed_languages():
        if path.startswith(f"/{code}/"):
            path = path.removeprefix(f"/{code}")
            break
    if path.startswith(WORKSPACE_PREFIX):
        return request.get_full_path()
    if language != settings.LANGUAGE_CODE:
        path = f"/{language}{path}"
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def canonical_reverse(name, args=None, kwargs=None):
    """The canonical address (the Indonesian one, unprefixed) of a route, whatever language is
    active: for what is stored or published as data (OCDS releases, bulk files, feeds' ids),
    which carries no language and must not take /en/ from the request that built it."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args, kwargs=kwargs)


def page_language(request):
    """The language `request`'s answer is in, by PortalLocaleMiddleware's rule: the address's
    prefix ("en" under /en/), the workspace's cookie under /admin/, else Indonesian."""
    language = translation.get_language_from_path(request.path_info)
    if language is None and request.path_info.startswith(WORKSPACE_PREFIX):
        language = workspace_language(request)
    return language or settings.LANGUAGE_CODE


def api_language(request):
    """The language of the API's messages: a code of settings.LANGUAGES ("id" or "en").

    The address's prefix when it has one (`/en/api/v1/...` is English whatever the client
    asks, as every address under `/en/`); otherwise the client's `Accept-Language`, its first
    language the portal speaks (`en-GB,en;q=0.9` -> "en"); otherwise Indonesian. Not the
    `django_language` cookie: that is an operator's choice for the workspace, and an API client
    says what it reads in its header. The site's pages do not do this (the address alone
    decides, opendata_kontrak/languages.py): a page's link must open the same page for
    everyone, while an API answer names its language (`Content-Language`) and varies by the
    header (`Vary: Accept-Language`), which caches and clients of an API honour.
    """
    prefixed = translation.get_language_from_path(request.path_info)
    if prefixed is not None:
        return prefixed
    # Django's own reading of the header (quality order, "*" ends it, malformed parts dropped).
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def answer_language(request, *, answers_json):
    """The language of an answer made before PortalLocaleMiddleware has run (a refused request,
    an outage): the API's rule for JSON answers, the page's rule for pages."""
    return api_language(request) if answers_json else page_language(request)


def shown_choices(choices):
    """`choices` ([(value, label)], optgroups too) with each label translated when shown: the
    vocabularies' labels are gettext_noop (Indonesian in the data), so a form or the admin
    translates them as it draws them."""
    shown = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            shown.append((value, shown_choices(label)))
        elif isinstance(label, str) and not isinstance(label, Promise) and label:
            shown.append((value, gettext_lazy(label)))
        else:
            shown.append((value, label))
    return shown
