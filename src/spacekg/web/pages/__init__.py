"""Pages for people: server-rendered HTML (Jinja2 templates; pictures as inline SVG; JavaScript only to enhance the query
form with an editor, from our static folder; nothing from another origin).

Routes (the `pages` blueprint; entity documents and the ontology are dereferenced by `linked_data`, which renders
their pages with `entity.entity_page` and `ontology.ontology_page`):
    /                   landing page (JSON for Accept: application/json)
    /query              the query page; GET /sparql from a browser shows it too
    /browse/<kind>      every entity of one kind
    /chronology         events in time order, filtered by type and years
    /norms              the norms matrix: status x strength, with codifying instruments
    /treaties           states x the five UN space treaties, our counts beside the official totals
    /treaties/<slug>    one UN space treaty in pictures: the map of every state's status (?date=) and the parties over time
    /votes              roll calls of the UN General Assembly on outer space, by topic (a roll call's and a state's
                        page show its votes: spacekg.web.pages.votes)
    /votes/agreement    how often two states voted the same way, per year (?a=, ?b=: state codes)
    /validation         the release's SHACL validation report (.csv and .ttl downloads)
    /search             entities by name, ISO code, UN symbol or DOI (JSON too)
    /why, /why.json     why an inferred statement holds
"""

from __future__ import annotations

from flask import Flask
from jinja2 import StrictUndefined

from spacekg.web.pages import agreement, entity, instrument_status, landing, ontology, query, search, validation, views, votes, why  # noqa: F401  (their routes join `pages`)
from spacekg.web.pages.common import pages


def init_pages(app: Flask) -> None:
    """Register the pages blueprint and the template settings."""
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.undefined = StrictUndefined  # a misspelt variable fails loudly instead of rendering as nothing
    app.register_blueprint(pages)
