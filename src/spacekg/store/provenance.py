"""The meta graph: VoID description and PROV-O provenance of a release, and source positions."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from spacekg.errors import SourcePosition
from spacekg.namespaces import DCTERMS, PROV, RDF, RDFS, SKG, VOID, XSD, Minter

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")


def provenance_graph(minter: Minter, release_id: str, started: dt.datetime, ended: dt.datetime,
                     source_checksums: Mapping[str, str], tool_versions: Mapping[str, str],
                     graph_sizes: Mapping[str, int], dump_names: list[str]) -> set[tuple[Node, URIRef, Node]]:
    """Describe the release (VoID + PROV-O): what it was built from, with which tools, when, and its sizes.

    Where each minted subject was written is the other part of the meta graph (`source_positions`).
    """
    g: set[tuple[Node, URIRef, Node]] = set()
    release = minter.release(release_id)
    dataset = minter.dataset()
    build = URIRef(f"{release}#build")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDFS.label, Literal("SpaceKG: the open knowledge graph of space diplomacy", lang="en")))
    g.add((dataset, DCTERMS.hasVersion, release))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((release, RDF.type, SKG.Release))
    g.add((release, RDF.type, VOID.Dataset))
    g.add((release, RDFS.label, Literal(f"SpaceKG release {release_id}")))
    g.add((release, DCTERMS.isVersionOf, dataset))
    g.add((release, DCTERMS.license, LICENSE))
    g.add((release, DCTERMS.created, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    g.add((release, PROV.wasGeneratedBy, build))
    g.add((release, VOID.triples, Literal(sum(graph_sizes.values()), datatype=XSD.integer)))
    for graph_iri, size in graph_sizes.items():
        g.add((release, VOID.subset, URIRef(graph_iri)))
        g.add((URIRef(graph_iri), RDF.type, VOID.Dataset))
        g.add((URIRef(graph_iri), VOID.triples, Literal(size, datatype=XSD.integer)))
    for name in dump_names:
        g.add((release, VOID.dataDump, URIRef(f"{release}/dumps/{name}")))
    g.add((build, RDF.type, SKG.Build))
    g.add((build, RDFS.label, Literal(f"build of release {release_id}")))
    g.add((build, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((build, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    for path, digest in sorted(source_checksums.items()):
        source = URIRef(f"{release}/source/{path}")
        g.add((build, PROV.used, source))
        g.add((source, RDF.type, PROV.Entity))
        g.add((source, RDFS.label, Literal(path)))
        g.add((source, SKG.sha256, Literal(digest)))
    for tool, version in sorted(tool_versions.items()):
        # labelled by content, so that the same tool in the next release dumps the same lines (release diffs stay small)
        agent = BNode("agent" + hashlib.sha256(f"{tool} {version}".encode()).hexdigest()[:32])
        g.add((build, PROV.wasAssociatedWith, agent))
        g.add((agent, RDF.type, PROV.SoftwareAgent))
        g.add((agent, RDFS.label, Literal(f"{tool} {version}")))
    return g


def source_positions(positions: Mapping[URIRef, SourcePosition]) -> list[tuple[Node, URIRef, Node]]:
    """Where each minted subject was written (skg:sourceFile, skg:sourceLine): the larger part of the meta graph."""
    source_file, source_line, integer = SKG.sourceFile, SKG.sourceLine, XSD.integer  # looked up once
    triples: list[tuple[Node, URIRef, Node]] = []
    for subject, position in positions.items():
        triples.append((subject, source_file, Literal(position.path)))
        triples.append((subject, source_line, Literal(max(position.line, 1), datatype=integer)))
    return triples
