"""The whole sitemap as a crawler reads it: the index (/sitemap.xml), then every section page
it names."""

import re


def whole_sitemap(client):
    """The XML of every section page the index names, joined (asserting each answers 200)."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert b"<sitemapindex" in index.content
    pages = []
    for location in re.findall(r"<loc>([^<]+)</loc>", index.content.decode()):
        answer = client.get(location)
        assert answer.status_code == 200, location
        pages.append(answer.content.decode())
    return "\n".join(pages)
