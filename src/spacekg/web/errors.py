"""The one place that turns errors into HTTP responses: plain text, SPARQL-style, never a stack trace."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from spacekg.errors import SpaceKGError


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(SpaceKGError)
    def spacekg_error(error: SpaceKGError) -> Response:
        return Response(str(error) + "\n", status=error.http_status, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return Response(f"{error.code} {error.name}: {error.description}\n", status=error.code or 500, mimetype="text/plain")

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        app.logger.exception("unexpected error")
        return Response("500 Internal Server Error: the server failed to answer; the error was logged.\n",
                        status=500, mimetype="text/plain")
