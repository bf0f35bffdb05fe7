"""The one place that turns errors into HTTP responses: plain text, SPARQL-style, never a stack trace."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from spacekg.errors import SpaceKGError


def _plain(text: str, status: int) -> Response:
    response = Response(text, status=status, mimetype="text/plain")
    response.headers["Access-Control-Allow-Origin"] = "*"  # so a browser client on another site can read the message
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(SpaceKGError)
    def spacekg_error(error: SpaceKGError) -> Response:
        return _plain(str(error) + "\n", error.http_status)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return _plain(f"{error.code} {error.name}: {error.description}\n", error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        app.logger.exception("unexpected error")
        return _plain("500 Internal Server Error: the server failed to answer; the error was logged.\n", 500)
