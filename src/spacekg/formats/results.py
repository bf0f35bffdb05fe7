"""Write SELECT and ASK results in the four SPARQL result formats (JSON, XML, CSV, TSV).

Rows are written here rather than by Oxigraph's serialisers because the endpoint caps the number of
rows: it reads at most cap+1 solutions and must then write the rows it kept. CONSTRUCT/DESCRIBE
graphs are still written by Oxigraph (pyoxigraph.serialize accepts the kept triples).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from spacekg.errors import NotAcceptable

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
BARE_NUMBER = {  # datatypes whose canonical lexical forms Turtle (and so TSV) writes without quotes
    XSD + "integer": re.compile(r"[+-]?\d+"),
    XSD + "decimal": re.compile(r"[+-]?\d*\.\d+"),
    XSD + "double": re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)[eE][+-]?\d+"),
    XSD + "boolean": re.compile(r"true|false"),
}


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    assert isinstance(term, ox.Triple)
    return {"type": "triple", "value": {"subject": _json_term(term.subject), "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def select_json(names: Sequence[str], rows: Sequence[Sequence[Term]], links: Sequence[str] = ()) -> bytes:
    head: dict[str, object] = {"vars": list(names)}
    if links:
        head["link"] = list(links)
    bindings = [{name: _json_term(term) for name, term in zip(names, row, strict=True) if term is not None} for row in rows]
    return json.dumps({"head": head, "results": {"bindings": bindings}}, ensure_ascii=False).encode()


def ask_json(value: bool) -> bytes:
    return json.dumps({"head": {}, "boolean": value}).encode()


# Characters XML 1.0 cannot carry, not even as character references (XML 1.0, section 2.2).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    found = NOT_IN_XML.search(text)
    if found:
        raise NotAcceptable(f"the results hold U+{ord(found.group()):04X}, a character XML 1.0 cannot carry",
                            "ask for SPARQL JSON, CSV or TSV results (Accept: application/sparql-results+json)")
    return escape(text)


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
        return f"<literal>{_xml_text(term.value)}</literal>"
    assert isinstance(term, ox.Triple)
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>")


XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


def select_xml(names: Sequence[str], rows: Sequence[Sequence[Term]], links: Sequence[str] = ()) -> bytes:
    parts = [XML_HEAD, "<head>"]
    parts += [f"<variable name={quoteattr(name)}/>" for name in names]
    parts += [f"<link href={quoteattr(link)}/>" for link in links]
    parts.append("</head>\n<results>\n")
    for row in rows:
        parts.append("<result>")
        parts += [f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
                  for name, term in zip(names, row, strict=True) if term is not None]
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts).encode()


def ask_xml(value: bool) -> bytes:
    return f"{XML_HEAD}<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n".encode()


def _csv_value(term: Term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return f"<< {_tsv_value(term.subject)} {_tsv_value(term.predicate)} {_tsv_value(term.object)} >>"
    return term.value


def select_csv(names: Sequence[str], rows: Sequence[Sequence[Term]], links: Sequence[str] = ()) -> bytes:
    """SPARQL 1.1 CSV results (which have no place for links: a truncated answer says so in its headers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_csv_value(term) for term in row] for row in rows)
    return buffer.getvalue().encode()


def _turtle_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def _tsv_value(term: Term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language:
            return f"{_turtle_string(term.value)}@{term.language}"
        if datatype in BARE_NUMBER and BARE_NUMBER[datatype].fullmatch(term.value):
            return term.value
        if datatype == XSD_STRING:
            return _turtle_string(term.value)
        return f"{_turtle_string(term.value)}^^<{datatype}>"
    assert isinstance(term, ox.Triple)
    return f"<< {_tsv_value(term.subject)} {_tsv_value(term.predicate)} {_tsv_value(term.object)} >>"


def select_tsv(names: Sequence[str], rows: Sequence[Sequence[Term]], links: Sequence[str] = ()) -> bytes:
    """SPARQL 1.1 TSV results (no place for links either)."""
    lines = ["\t".join(f"?{name}" for name in names)]
    lines += ["\t".join(_tsv_value(term) for term in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def ask_text(value: bool) -> bytes:
    return b"true\n" if value else b"false\n"
