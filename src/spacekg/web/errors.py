"""The one place that turns errors into HTTP responses: an HTML page for browsers, plain text for everyone else.

Plain text is what SPARQL clients expect (the message, then a `fix:` line); a browser, which asks for
text/html first, gets the same message and hint on a page of the site. Never a stack trace: an
unexpected error is logged and answered with a short plain 500.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response, g, render_template, request
from werkzeug.exceptions import HTTPException

from spacekg.errors import SpaceKGError
from spacekg.web.mediatypes import negotiate


def _plain(text: str, status: int) -> Response:
    response = Response(text, status=status, mimetype="text/plain")
    response.headers["Access-Control-Allow-Origin"] = "*"  # so a browser client on another site can read the message
    return response


def wants_html() -> bool:
    """Whether the client prefers a page to plain text (browsers do; curl and libraries by default do not)."""
    return negotiate(request.headers.get("Accept"), ["text/plain", "text/html"], "text/plain") == "text/html"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_response(error: HTTPException | SpaceKGError) -> Response:
    """The answer to an error of ours or of the HTTP layer, as a page or as plain text."""
    g.spacekg_error = error  # what the request's metrics and access-log line name as its outcome
    if isinstance(error, HTTPException):
        status, title, message, hint = error.code or 500, error.name, error.description or "", ""
        plain = f"{status} {title}: {message}\n"
    else:
        status, title, message, hint = error.http_status, _phrase(error.http_status), error.message, error.hint
        plain = str(error) + "\n"
    if wants_html():
        page = render_template("error.html", alternates=[], title=title, message=message, hint=hint, code=status)
        response = Response(page, status=status, mimetype="text/html")
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response = _plain(plain, status)
    if isinstance(error, SpaceKGError) and error.retry_after_s is not None:
        response.headers["Retry-After"] = str(error.retry_after_s)
    if isinstance(error, HTTPException):  # e.g. 405's Allow, 401's WWW-Authenticate: what the client needs to go on
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(SpaceKGError, error_response)
    app.register_error_handler(HTTPException, error_response)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        app.logger.exception("unexpected error")
        return _plain("500 Internal Server Error: the server failed to answer; the error was logged.\n", 500)
