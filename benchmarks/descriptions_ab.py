"""A/B of the linked-data descriptions without HTTP: milliseconds per document, per format, for a sample of entities.

Run it once per code version on the same release, the older version first, e.g. from a worktree:
    PYTHONPATH=OLD/src python benchmarks/descriptions_ab.py --releases var/releases --out /tmp/old.json
    python benchmarks/descriptions_ab.py --releases var/releases --reference /tmp/old.json
The second run prints both side by side, with the ratio new / old.
"""

import argparse
import json
import logging
import resource
import time
from collections import defaultdict
from pathlib import Path

from spacekg.settings import load_settings
from spacekg.store.releases import current_release
from spacekg.web import create_app

EXTENSIONS = ("ttl", "nt", "rdf", "jsonld", "trig", "nq")
arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
arguments.add_argument("--releases", type=Path, default=Path("var/releases"), help="releases folder with a current release")
arguments.add_argument("--per-kind", type=int, default=40, help="entities of each kind fetched (the first, by IRI)")
arguments.add_argument("--out", type=Path, help="write the figures here as JSON")
arguments.add_argument("--reference", type=Path, help="figures of a reference run (--out of it), printed beside these")
options = arguments.parse_args()
settings = load_settings({}, releases_dir=options.releases)
logging.getLogger("spacekg.access").disabled = True
release = current_release(settings.releases)
assert release is not None, f"no current release in {settings.releases}"
store = release.open_store()
base = release.manifest["base_iri"] + "id/"
RETIRED = "https://w3id.org/spacekg/ontology#RetiredIRI"  # these answer 301 to their successor: not descriptions
rows = store.query(f'SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), "{base}") && !CONTAINS(STR(?s), "#")) '
                   f'FILTER NOT EXISTS {{ GRAPH ?any {{ ?s a <{RETIRED}> }} }} }}')
by_kind: dict[str, list[str]] = defaultdict(list)
for row in rows:  # type: ignore[union-attr]
    path = row["s"].value[len(base):]
    by_kind[path.partition("/")[0]].append(path)
paths = [path for kind in sorted(by_kind) for path in sorted(by_kind[kind])[:options.per_kind]]

client = create_app(settings).test_client()
for path in paths[:20]:  # warm-up: caches of the site and the store
    client.get(f"/doc/{path}.ttl")


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


figures = {"release": release.release_id, "documents": len(paths), "ms_per_document": {}, "cpu_ms_per_document": {}}
for extension in EXTENSIONS:
    started_cpu, started = cpu(), time.perf_counter()
    for path in paths:
        assert client.get(f"/doc/{path}.{extension}").status_code == 200, path
    figures["ms_per_document"][extension] = 1000 * (time.perf_counter() - started) / len(paths)
    figures["cpu_ms_per_document"][extension] = 1000 * (cpu() - started_cpu) / len(paths)
if options.out:
    options.out.write_text(json.dumps(figures, indent=1), encoding="utf-8")
reference = json.loads(options.reference.read_text(encoding="utf-8")) if options.reference else None
print(f"release {figures['release']}, {figures['documents']} documents per format (up to {options.per_kind} per kind)")
print(f"{'format':8} {'ms/doc':>8} {'cpu ms':>8}" + (f" {'reference':>10} {'ratio':>6}" if reference else ""))
for extension in EXTENSIONS:
    line = f"{extension:8} {figures['ms_per_document'][extension]:8.2f} {figures['cpu_ms_per_document'][extension]:8.2f}"
    if reference:
        old = reference["ms_per_document"][extension]
        line += f" {old:10.2f} {figures['ms_per_document'][extension] / old:6.2f}"
    print(line)
