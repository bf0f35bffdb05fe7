"""What remote stores say outside the SPARQL Protocol that changes what an answer means: stopped early, or cut short.

Virtuoso 7's "anytime queries" answer a query stopped at the store's time limit with the rows found so far, as
HTTP 200 (206 from 7.2.7 on) marked only by `X-SQL-State: S1TAT`; a query stopped by its plain time limit is a 500
whose body names SQLSTATE S1T00 (ODBC's "timeout expired"), and one cancelled while it runs is a 500 naming HY008
(ODBC's "operation canceled": an anytime query once ended so on a loaded CI machine). In each case the store
stopped the query before its end, so SpaceKG answers as it does when its own limit passes (QueryTimeout) and never
shows the partial rows. Virtuoso also cuts every answer at its ResultSetMaxRows and says so only in
`X-SPARQL-MaxRows`: `rows_cut_at` reads that, and the remote store refuses a cut answer unless SpaceKG's own row cap
falls before the cut. And in results JSON it names blank nodes `nodeID://b10005`, which is no blank node label, and
writes stored booleans as 1 and 0: `canonical_results` writes both as other stores do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from spacekg.errors import QueryTimeout

BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
ANYTIME_STATE = "S1TAT"  # Virtuoso's SQLSTATE for "the result timeout passed: these are the rows found so far"
AT_ITS_LIMIT = "stopped the query at its own time limit"
_STOPPED_STATES = {b"S1T00": AT_ITS_LIMIT, b"S1TAT": AT_ITS_LIMIT, b"HY008": "cancelled the query before it finished"}
_STOPPED_STATE = re.compile(rb"\b(" + b"|".join(_STOPPED_STATES) + rb")\b")
HINT = "add LIMIT, or narrow the query"


def raise_if_stopped_early(status: int, headers: Mapping[str, str], body: bytes) -> None:
    """Raise QueryTimeout if the store says it stopped the query at its own time limit, with partial rows or with an error."""
    if status == 206 or headers.get("X-SQL-State", "").strip().upper() == ANYTIME_STATE:
        # SpaceKG sends no Range header, so a 206 can only mean a partial answer.
        raise QueryTimeout(f"the remote store {AT_ITS_LIMIT} and answered with the rows found so far; "
                           "SpaceKG does not show partial results", HINT)
    stopped = _STOPPED_STATE.search(body[:2000]) if status >= 500 else None
    if stopped:
        raise QueryTimeout(f"the remote store {_STOPPED_STATES[stopped.group(1)]}", HINT)


def rows_cut_at(headers: Mapping[str, str]) -> int | None:
    """The row count at which the store cut its answer (it holds that many rows, and there may have been more), or None."""
    value = headers.get("X-SPARQL-MaxRows", "").strip()
    return int(value) if value.isdigit() else None


def canonical_results(results_json: bytes) -> bytes:
    """SPARQL results JSON with valid blank node labels and booleans in their canonical form, meaning unchanged.

    Every blank node label becomes "b" and its bytes in hex: a label means something only within one answer, so a
    one-to-one relabelling keeps the answer. A boolean's "1" and "0" are lexical forms of true and false (XML Schema).
    """
    if b'"bnode"' not in results_json and BOOLEAN.encode() not in results_json:
        return results_json
    answer = json.loads(results_json)
    for row in answer.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = "b" + term["value"].encode().hex()
            elif term.get("datatype") == BOOLEAN and term.get("value") in ("0", "1"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(answer).encode()
