"""`{% cache_data %}`: Django's `{% cache %}` for fragments keyed by the data versions
(`public_cache.fragment_key`), which stores a fragment only when nothing stale went into it.

After a public change the fragment's key is new, so it is rendered anew; but the aggregates it
shows may be served stale meanwhile (public_cache: stale while revalidating). Stored under the
new key, the old figures would stay for the fragment's whole timeout, long after the recompute.
So a fragment is stored only when its request has been served no stale value, before or during
its render (the views compute their figures before the template renders); otherwise it is
rendered for this request only, and the next request after the recompute stores it. Nested
fragments follow the same rule, each on its own.

A fragment holds translated text, so its key carries the active language (as Django's docs ask
of `{% cache %}` with i18n): an English page never gets the Indonesian fragment, nor the reverse.
The values of `public_cache.remember` hold none (numbers, codes, ids), so one serves both.

Usage, as `{% cache %}`::

    {% load data_cache %}
    {% cache_data 21600 name fragment_key page.number %} ... {% endcache_data %}
"""

from django import template
from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.utils import make_template_fragment_key
from django.templatetags.cache import CacheNode
from django.utils import translation

from contracts import public_cache

register = template.Library()


class DataCacheNode(CacheNode):
    def render(self, context):
        expire_time = int(self.expire_time_var.resolve(context))
        try:
            fragment_cache = caches["template_fragments"]
        except InvalidCacheBackendError:
            fragment_cache = caches["default"]
        vary_on = [translation.get_language(), *(var.resolve(context) for var in self.vary_on)]
        cache_key = make_template_fragment_key(self.fragment_name, vary_on)
        value = fragment_cache.get(cache_key)
        if value is None:
            value = self.nodelist.render(context)
            if not public_cache.served_stale():
                fragment_cache.set(cache_key, value, expire_time)
        return value


@register.tag("cache_data")
def do_cache_data(parser, token):
    """`{% cache_data timeout name var ... %}...{% endcache_data %}` (no `using=`: the
    fragments' cache, as `{% cache %}` picks it)."""
    nodelist = parser.parse(("endcache_data",))
    parser.delete_first_token()
    tokens = token.split_contents()
    if len(tokens) < 3:
        raise template.TemplateSyntaxError(f"{tokens[0]!r} tag requires at least 2 arguments.")
    return DataCacheNode(
        nodelist,
        parser.compile_filter(tokens[1]),
        tokens[2],
        [parser.compile_filter(t) for t in tokens[3:]],
        None,
    )
