"""Map roll calls of the UN General Assembly and each state's vote in them, in the Popolo vocabulary.

A roll call (data/un_roll_calls.csv) is a `skg:RollCall`, an `opengov:VoteEvent`: its day, session, the
source's identifier, the resolution it adopted (`opengov:motion`) where the source says which, and one
`opengov:Count` per option the source totals. A vote (data/un_votes.csv) is an `opengov:Vote` of one state
(`schema:agent`) with its option (`schema:option`: yes, no, abstain, not voting), citing its source.
"""

from __future__ import annotations

from collections import Counter

from rdflib import Literal, URIRef

from spacekg.namespaces import DCTERMS, FOAF, OPENGOV, RDF, RDFS, SCHEMA, SKG, XSD
from spacekg.rdf import links
from spacekg.rdf.context import MappingContext
from spacekg.rdf.values import parse_count, split_cell
from spacekg.sources.reading import Record

OPTIONS = {"yes": "yes", "no": "no", "abstain": "abstain", "not-voting": "not voting"}  # curators' code -> Popolo's option
COUNT_COLUMNS = {"yes": "yes", "no": "no", "abstain": "abstain", "non_voting": "not-voting"}


def declare_roll_calls(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        ctx.declare(ctx.ids.roll_calls, record.get("id"), ctx.minter.entity("rollcall", record.get("id")), record, "id")


def map_roll_calls(ctx: MappingContext, records: list[Record]) -> None:
    for record in records:
        iri = ctx.ids.roll_calls.get(record.get("id"))
        if iri is None:
            continue
        ctx.add(iri, RDF.type, SKG.RollCall)
        ctx.cite(iri, record)
        ctx.add(iri, RDFS.label, Literal(f"roll call {record.get('symbol') or record.get('source_id')} ({record.get('date')}): {record.get('title')}"))
        ctx.text(iri, DCTERMS.title, record, "title", "en")  # as the source writes it (the Voeten data: often in capitals)
        ctx.date(iri, SCHEMA.startDate, record, "date")
        ctx.text(iri, SKG.sourceId, record, "source_id")
        ctx.text(iri, SKG.unSymbol, record, "symbol")
        motion = ctx.instrument(record.get("symbol"), record, "symbol") if record.get("symbol") else None
        ctx.add(iri, OPENGOV.motion, motion)
        ctx.add(iri, SKG.voteTopic, ctx.code(SKG.VoteTopicScheme, record.get("topic"), record, "topic"))
        ctx.add(iri, SKG.voteOn, ctx.code(SKG.VoteOnScheme, record.get("vote_on") or "resolution", record, "vote_on"))
        record_page = ctx.web_address(record, "record_url")
        ctx.add(iri, FOAF.page, record_page)
        links.link_record(ctx, motion, record_page)
        for column, option in COUNT_COLUMNS.items():
            if record.get(column):
                try:
                    value = parse_count(record.get(column))
                except ValueError as error:
                    ctx.fail(record, column, str(error), "write the number of votes the source states, or leave it blank")
                    continue
                count = URIRef(f"{iri}#{option}")  # a part of the roll call: its count for one option
                ctx.positions.setdefault(count, record.position())
                ctx.add(iri, OPENGOV["count"], count)  # OPENGOV.count would be str.count
                ctx.add(count, RDF.type, OPENGOV.Count)
                ctx.add(count, OPENGOV.option, Literal(OPTIONS[option]))
                ctx.add(count, OPENGOV.value, value)
                for key in split_cell(record.get("sources")):  # the total is its source's statement (ctx.cite reported bad keys)
                    ctx.add(count, DCTERMS.source, ctx.ids.citations.get(key))
        session = record.get("session")
        if session:
            if session.isdigit():
                ctx.add(iri, SKG.session, Literal(int(session), datatype=XSD.integer))
            else:
                ctx.fail(record, "session", f"session {session!r} is not a whole number", "write the session's number, e.g. 77")
        ctx.doubt(iri, record)


def map_votes(ctx: MappingContext, records: list[Record]) -> None:
    recorded: Counter[tuple[URIRef, str]] = Counter()
    # One vote per state per roll call is checked here, not by a shape: a SPARQL constraint per vote cost Jena 7 s
    # at 16,000 votes (measured); the stated totals (skgsh:CountMatchesVotesShape) catch an extra vote as well.
    first: dict[tuple[str, str], int] = {}
    for record in records:
        key = (record.get("roll_call"), record.get("state"))
        if key in first:
            ctx.fail(record, "state", f"{key[1]} already has a vote in roll call {key[0]} (line {first[key]})",
                     "keep one row per state and roll call")
            continue
        first[key] = record.line
        roll_call = ctx.ids.roll_calls.get(record.get("roll_call"))
        if roll_call is None:
            ctx.fail(record, "roll_call", f"unknown roll call {record.get('roll_call')!r}", "use an id from data/un_roll_calls.csv")
            continue
        state = ctx.state(record.get("state"), record, "state")
        option = OPTIONS.get(record.get("vote"))
        if option is None:
            ctx.fail(record, "vote", f"unknown vote {record.get('vote')!r}", f"use one of: {', '.join(OPTIONS)}")
        if state is None or option is None:
            continue
        iri = ctx.mint_unique("vote", f"{record.get('roll_call')}-{record.get('state')}", record)
        ctx.add(iri, RDF.type, OPENGOV.Vote)
        ctx.add(iri, OPENGOV.voteEvent, roll_call)
        ctx.add(iri, SCHEMA.agent, state)
        ctx.add(iri, SCHEMA.option, Literal(option))
        ctx.cite(iri, record)
        recorded[(roll_call, record.get("vote"))] += 1
    _count_recorded(ctx, {roll_call for roll_call, _ in recorded}, recorded)


def _count_recorded(ctx: MappingContext, roll_calls: set[URIRef], recorded: Counter[tuple[URIRef, str]]) -> None:
    """Beside each total the source states, the votes recorded for its option: a shape checks that the two agree."""
    for roll_call in roll_calls:
        for option in OPTIONS:
            count = URIRef(f"{roll_call}#{option}")
            if (count, RDF.type, OPENGOV.Count) in ctx.graph:
                ctx.add(count, SKG.votesRecorded, Literal(recorded[(roll_call, option)], datatype=XSD.integer))
