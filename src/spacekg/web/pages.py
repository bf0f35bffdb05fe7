"""Pages for people. For now the query page: a form that posts to /sparql (the pages issue extends it)."""

from __future__ import annotations

from html import escape

from flask import Response, current_app, request


def query_page() -> Response:
    catalogue = current_app.config.get("SPACEKG_CATALOGUE", {})
    query = request.args.get("query", "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)")
    examples = "".join(f'<li><a href="?query={escape(q.text, quote=True)}">{escape(q.title)}</a></li>' for q in catalogue.values())
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SpaceKG SPARQL endpoint</title></head>
<body><main><h1>SpaceKG SPARQL endpoint</h1>
<form method="get" action="{escape(request.path, quote=True)}">
<label for="query">SPARQL query</label><br>
<textarea id="query" name="query" rows="14" cols="100">{escape(query)}</textarea><br>
<label for="format">Results as</label>
<select id="format" name="format"><option value="json">JSON</option><option value="xml">XML</option>
<option value="csv">CSV</option><option value="tsv">TSV</option></select>
<button type="submit">Run</button></form>
<h2>Examples</h2><ul>{examples}</ul></main></body></html>"""
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'"
    return response
