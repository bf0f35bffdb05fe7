"""The `spacekg` command line. Commands call the pipeline or the store, nothing else."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from spacekg import __version__
from spacekg.errors import SpaceKGError, UsageError
from spacekg.formats import DUMPS, by_name
from spacekg.settings import Settings, load_settings
from spacekg.validate.render import REPORT_FORMATS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}", f"see '{self.prog} --help'")


def _progress(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def cmd_build(settings: Settings, args: argparse.Namespace) -> int:
    from spacekg.errors import DataDoesNotConform
    from spacekg.pipeline import REJECTED_REPORT, build
    from spacekg.validate import ValidationReport
    from spacekg.validate.render import render_summary

    try:
        release = build(settings, progress=_quiet if args.quiet else _progress)
    except DataDoesNotConform as error:
        if isinstance(error.report, ValidationReport) and not args.quiet:
            print(render_summary(error.report, _shown(settings, settings.reports / REJECTED_REPORT), every_result=args.verbose), end="", file=sys.stderr)
        raise
    sizes = ", ".join(f"{iri.rsplit('/', 1)[-1]} {n}" for iri, n in release.manifest["graphs"].items())
    if not args.quiet:
        changes = release.manifest.get("validation", {})
        report = ValidationReport(results=tuple(_results_of(release.path / "validation.ttl")))
        print(render_summary(report, _shown(settings, release.path / "validation.txt"), every_result=args.verbose), end="")
        if "new" in changes:
            print(f"validation: {changes['new']} new and {changes['fixed']} fixed result(s) since release {changes['previous_release']}")
    print(f"release {release.release_id} published in {release.path} ({sizes} triples)")
    return 0


def _quiet(_: str) -> None:
    return None


def _shown(settings: Settings, path: Path) -> str:
    """A path as a curator types it: relative to the project when it is inside it."""
    return str(path.relative_to(settings.project_dir)) if path.is_relative_to(settings.project_dir) else str(path)


def _results_of(report_file: Path) -> list[Any]:
    from rdflib import Graph

    from spacekg.validate import results_from_graph
    from spacekg.validate.report import sorted_results

    return list(sorted_results(results_from_graph(Graph().parse(report_file, format="turtle"))))


def cmd_validate(settings: Settings, args: argparse.Namespace) -> int:
    from spacekg.checks import check
    from spacekg.pipeline import assemble
    from spacekg.validate import render
    from spacekg.validate.engine import choose_engine

    ontology, asserted, _ = assemble(settings, _progress)
    engine, notice = choose_engine(settings.shacl_engine, settings.cache, settings.jena_classpath)
    if notice:
        _progress(notice)
    _progress(f"validating against shapes/ ({engine.version})")
    report = check(settings, ontology, asserted, engine)
    text = render(report, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote the report to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if not report.conforms:
        return 1
    return 1 if args.strict and report.count("Warning") else 0


def cmd_reason(settings: Settings, args: argparse.Namespace) -> int:
    from collections import Counter

    from spacekg.pipeline import assemble, infer

    ontology, asserted, _ = assemble(settings, _progress)
    _progress(f"reasoning with {settings.reasoner}")
    reasoning = infer(settings, ontology, asserted)
    by_predicate = Counter(str(p) for _, p, _ in reasoning.triples)
    print(f"{len(reasoning.triples)} new facts from {len(asserted.triples)} asserted triples "
          f"({settings.reasoner}, {reasoning.seconds:.2f} s); no contradiction found")
    _print_rows(["predicate", "inferred triples"], [[p, str(n)] for p, n in by_predicate.most_common()], "table")
    if args.output:
        reasoning.inferred.serialize(args.output, format="turtle")
        print(f"wrote the inferred graph to {args.output}", file=sys.stderr)
    return 0


def cmd_why(settings: Settings, args: argparse.Namespace) -> int:
    from spacekg.kinds import entity_prefixes
    from spacekg.namespaces import Minter, expand_term
    from spacekg.pipeline import assemble, infer
    from spacekg.reason import explain

    prefixes = entity_prefixes(Minter(settings.base_iri))
    try:
        triple = tuple(expand_term(term, prefixes) for term in (args.subject, args.predicate, args.object))
    except ValueError as error:
        raise UsageError(str(error), "write terms as <https://...> or prefixed names such as state:AUS skg:partyTo instrument:moon") from error
    ontology, asserted, _ = assemble(settings)
    explanation = explain(triple, infer(settings, ontology, asserted))  # type: ignore[arg-type]
    if args.format == "json":
        json.dump(explanation.to_json(prefixes), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(explanation.to_text(prefixes))
    return 0


def _term_text(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str:
    return "" if term is None else term.value


def cmd_query(settings: Settings, args: argparse.Namespace) -> int:
    from spacekg.queries import parse_canned
    from spacekg.store.querying import run_canned, run_query, solutions_as_rows
    from spacekg.store.releases import current_release

    params = dict(_split_param(p) for p in args.param)
    store = current_release(settings.releases).open_store()
    path = Path(args.query)
    if args.query.endswith(".rq") and path.is_file():
        result = run_canned(store, parse_canned(path), params)
    elif args.query.endswith(".rq") and not path.exists():
        raise UsageError(f"query file {args.query} not found", "give a path to a .rq file or a query string")
    else:
        result = run_query(store, args.query, params)
    if isinstance(result, ox.QueryBoolean):
        print("true" if bool(result) else "false")
    elif isinstance(result, ox.QueryTriples):
        sys.stdout.write((result.serialize(format=ox.RdfFormat.TURTLE) or b"").decode())
    else:
        names, rows = solutions_as_rows(result)
        _print_rows(names, [[_term_text(row[n]) for n in names] for row in rows], args.format)
    return 0


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise UsageError(f"--param {text!r} is not NAME=VALUE", "e.g. --param state=https://w3id.org/spacekg/id/state/FRA")
    return name, value


def _print_rows(names: list[str], rows: list[list[str]], out_format: str) -> None:
    if out_format == "json":
        json.dump([dict(zip(names, row, strict=True)) for row in rows], sys.stdout, indent=2, ensure_ascii=False)
        print()
    elif out_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
        print("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
        print("  ".join("-" * w for w in widths))
        for row in rows:
            print("  ".join((cell if len(cell) <= w else cell[: w - 1] + "…").ljust(w) for cell, w in zip(row, widths, strict=True)))
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    from spacekg.stats import release_stats
    from spacekg.store.releases import current_release

    release = current_release(settings.releases)
    stats = release_stats(release.open_store())
    if args.format == "json":
        json.dump({"release": release.release_id, "graphs": stats.graphs, "records": stats.records, "classes": stats.classes},
                  sys.stdout, indent=2)
        print()
        return 0
    print(f"release {release.release_id}\n")
    _print_rows(["named graph", "triples"], [[g, str(n)] for g, n in stats.graphs.items()], "table")
    print()
    _print_rows(["records", "count"], [[k, str(n)] for k, n in stats.records.items()], "table")
    print()
    _print_rows(["class", "instances"], [[c, str(n)] for c, n in stats.classes.items()], "table")
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from spacekg.store.releases import current_release

    release = current_release(settings.releases)
    chosen = by_name(args.format, DUMPS)
    assert chosen is not None  # argparse allows only the names of DUMPS
    dump = release.path / "dumps" / chosen.dump_name
    data = dump.read_bytes()
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({len(data)} bytes, sha256 {release.manifest['dumps'][dump.name]})", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_publish(settings: Settings, args: argparse.Namespace) -> int:
    from spacekg.store.releases import current_release
    from spacekg.store.remote import RemoteEndpoint, publish_release

    release = current_release(settings.releases)
    written = publish_release(release, args.to, timeout_s=args.timeout or 600.0)
    for graph, triples in written.items():
        print(f"{graph}: {triples} triples")
    shown = RemoteEndpoint.parse(args.to, "graph store").url  # the URL without the password it may carry
    print(f"published release {release.release_id} to {shown}; serve it with: spacekg serve --store QUERY-URL")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="spacekg-metrics-") as metrics_dir:
        # prometheus_client picks its multiprocess mode from this variable when it is first imported, so it is
        # set before the web package is; granian's workers inherit it and write their samples there.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        from spacekg.web.server import serve

        serve(settings)
    return 0


def cmd_synth(settings: Settings, args: argparse.Namespace) -> int:
    from spacekg.synth import synthesize

    report = synthesize(settings.project_dir, Path(args.out), args.triples, args.violations, args.seed)
    rows = ", ".join(f"{n} {kind}" for kind, n in report.rows.items())
    print(f"wrote {report.folder}: added {rows}; {report.seeded_violations} seeded violations")
    print(f"build it with: spacekg --project {report.folder} build")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="spacekg", description="Build, query and serve SpaceKG, the knowledge graph of space diplomacy.")
    parser.add_argument("--version", action="version", version=f"spacekg {__version__}")
    parser.add_argument("--project", type=Path, help="project folder holding data/, ontology/, queries/ (default: current folder)")
    parser.add_argument("--releases", type=Path, help="folder of built releases (default: PROJECT/var/releases)")
    parser.add_argument("--base-iri", help="canonical base IRI (default https://w3id.org/spacekg/)")
    parser.add_argument("--reasoner", choices=("rules", "owlrl"), help="reasoning engine: rules (default, fast) or owlrl (reference)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build = commands.add_parser("build", help="build the graph from data/ and publish it as the current release")
    build.add_argument("--verbose", action="store_true", help="list Warnings and Infos too, not only Violations")
    build.add_argument("--quiet", action="store_true", help="print only the outcome: the release published, or the error")
    validate = commands.add_parser("validate", help="validate data/ and the ontology against shapes/ and print the report")
    validate.add_argument("--format", choices=tuple(REPORT_FORMATS), default="text")
    validate.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    validate.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    reason = commands.add_parser("reason", help="run the reasoning stage alone and summarise what it infers")
    reason.add_argument("--output", "-o", help="also write the inferred graph as Turtle to this file")
    why = commands.add_parser("why", help="explain an inferred triple: the OWL 2 RL rules and premises, down to file:line")
    why.add_argument("subject")
    why.add_argument("predicate")
    why.add_argument("object")
    why.add_argument("--format", choices=("text", "json"), default="text")
    query = commands.add_parser("query", help="run a SPARQL query (a string or a queries/*.rq file) on the current release")
    query.add_argument("query", help="SPARQL text or path to a .rq file")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="bind a query parameter")
    stats = commands.add_parser("stats", help="counts per named graph, record kind and class")
    stats.add_argument("--format", choices=("table", "json"), default="table")
    export = commands.add_parser("export", help="write a dump of the current release")
    export.add_argument("--format", choices=tuple(f.name for f in DUMPS), default="nquads")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    synth = commands.add_parser("synth", help="write a synthetic project of about N more triples, for benchmarks")
    synth.add_argument("--triples", type=int, required=True, help="approximate number of triples to add")
    synth.add_argument("--out", required=True, help="folder to write (replaced if it exists)")
    synth.add_argument("--violations", type=float, default=0.01, help="share of generated pairs seeded with a SHACL violation")
    synth.add_argument("--seed", type=int, default=7, help="random seed, for repeatable data")
    serve = commands.add_parser("serve", help="serve the current release over the SPARQL protocol")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--dataset", action="append", type=Path, default=None, metavar="FILE",
                       help="serve these RDF files (TriG, N-Quads, Turtle, N-Triples, RDF/XML, JSON-LD) instead of the current release")
    serve.add_argument("--timeout", type=float, help="query time limit in seconds (default 30)")
    serve.add_argument("--public-url", metavar="URL", help="the URL links and redirects name (default: http://HOST:PORT)")
    serve.add_argument("--trusted-proxies", metavar="ADDRESSES",
                       help="comma-separated proxy addresses or networks whose X-Forwarded-* headers are read (default: none)")
    serve.add_argument("--store", metavar="URL", help="answer queries from this remote SPARQL 1.1 query endpoint (see docs/remote-store.md)")
    publish = commands.add_parser("publish", help="write the current release's named graphs to a remote store (Graph Store Protocol)")
    publish.add_argument("--to", required=True, metavar="URL", help="the store's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store")
    publish.add_argument("--timeout", type=float, help="time limit per graph in seconds (default 600)")
    return parser


COMMANDS = {"build": cmd_build, "validate": cmd_validate, "reason": cmd_reason, "why": cmd_why, "query": cmd_query, "stats": cmd_stats, "export": cmd_export,
            "serve": cmd_serve, "synth": cmd_synth, "publish": cmd_publish}


def report_error(error: SpaceKGError) -> int:
    """Print an error of ours on standard error (message, then its fix) and return its exit code: the one place that does."""
    print(f"error: {error}", file=sys.stderr)
    return error.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a command; an error of ours becomes its exit code (report_error)."""
    try:
        args = build_parser().parse_args(argv)
        settings = load_settings(project_dir=args.project, releases_dir=args.releases, base_iri=args.base_iri, reasoner=args.reasoner,
                                 host=getattr(args, "host", None), port=getattr(args, "port", None),
                                 workers=getattr(args, "workers", None),
                                 query_timeout_s=getattr(args, "timeout", None) if args.command == "serve" else None,
                                 dataset_files=tuple(args.dataset) if getattr(args, "dataset", None) else None,
                                 store_url=getattr(args, "store", None), public_url=getattr(args, "public_url", None),
                                 trusted_proxies=getattr(args, "trusted_proxies", None))
        return COMMANDS[args.command](settings, args)
    except SpaceKGError as error:
        return report_error(error)
    except BrokenPipeError:  # the reader (e.g. head) closed the pipe; not an error of ours
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted; the published release is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
