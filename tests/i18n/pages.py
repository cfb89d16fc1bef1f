"""Reading answers in the language tests: a page's HTML, and which phrases of the other language
are still on it."""


def html_of(response, status=200):
    """The answer's body as text, once its status is `status`."""
    assert response.status_code == status, response.status_code
    return response.content.decode()


def absent(text, phrases):
    """The phrases of `phrases` found in `text`: `[]` when none is, the list to assert."""
    return [phrase for phrase in phrases if phrase in text]
