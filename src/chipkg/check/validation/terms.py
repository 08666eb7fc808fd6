"""RDF terms between rdflib and pyoxigraph, and how literals survive an Oxigraph store.

Oxigraph stores a valid literal of a type derived from xsd:integer as xsd:integer
(``"5"^^xsd:nonNegativeInteger`` comes back as ``"5"^^xsd:integer``, oxigraph issue #526), so an
``sh:datatype`` check on the store alone could not tell a source that typed it differently.
It also rewrites the lexical form of valid numbers, booleans and dates (``"1.50"^^xsd:decimal``
is stored as ``"1.5"``), which pySHACL reports and sh:pattern reads. Every such literal
therefore gets a *shadow* triple next to it, with the same subject, the predicate
``urn:x-chipkg:lexical:`` + the predicate IRI, and the literal's exact lexical form under an
opaque datatype ``urn:x-chipkg:xsd:`` + the type's local name, which Oxigraph keeps as written.
The value tests in Python (sh:datatype, sh:pattern) and the values reported in results read
the shadow; everything else (SPARQL arithmetic, comparisons) reads the stored value. For
N-Quads the shadows are made from the bytes (``shadow_nquads``), a regular expression finding
the lines, never a parse of every triple."""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from chipkg.graph.vocab import XSD

XSD_NS = str(XSD)
SHADOW_PREDICATE = "urn:x-chipkg:lexical:"
SHADOW_DATATYPE = "urn:x-chipkg:xsd:"
# an rdflib literal marked ill-typed whose lexical form rdflib rewrote ("none"^^xsd:boolean is
# parsed as "false", still ill-typed): kept ill-typed through the store
ILL_TYPED_DATATYPE = "urn:x-chipkg:xsd-ill:"
INTEGER_FAMILY = (
    "integer",
    "nonNegativeInteger",
    "positiveInteger",
    "nonPositiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
)
# the other types whose lexical form Oxigraph rewrites ("1.50"^^xsd:decimal is stored as "1.5")
CANONICALISED = (
    "decimal",
    "double",
    "float",
    "boolean",
    "date",
    "dateTime",
    "dateTimeStamp",
    "time",
    "gYear",
    "gYearMonth",
    "gMonth",
    "gDay",
    "gMonthDay",
    "duration",
    "dayTimeDuration",
    "yearMonthDuration",
)
SHADOWED = INTEGER_FAMILY + CANONICALISED
SHADOWED_TYPES = {XSD_NS + t for t in SHADOWED}
# the datatypes a stored literal of a shadowed type may carry: its own when Oxigraph kept it as
# written (an ill-typed "c"^^xsd:byte), xsd:integer for a derived integer it rewrote
STORED_SHADOWED = sorted(SHADOWED_TYPES)
# the end of a quad whose object is such a literal: '"^^<xsd:TYPE> <graph> .'
_SHADOW_END = re.compile(
    rb'"\^\^<http://www\.w3\.org/2001/XMLSchema#('
    + b"|".join(t.encode() for t in SHADOWED)
    + rb")> (\S+) \.\r?\n"
)


def to_ox(term: Node):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt.startswith(SHADOW_DATATYPE):
            return Literal(term.value, datatype=URIRef(XSD_NS + dt[len(SHADOW_DATATYPE) :]))
        if dt.startswith(ILL_TYPED_DATATYPE):
            lit = Literal(term.value, datatype=URIRef(XSD_NS + dt[len(ILL_TYPED_DATATYPE) :]))
            lit._ill_typed = True  # as rdflib marked the literal it was made from
            return lit
        if dt == XSD_NS + "string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"not an RDF term: {term!r}")


def shadow_of(s, p: URIRef, o: Literal):
    """The shadow triple (ox terms) of a literal whose form Oxigraph may rewrite, or None."""
    if o.datatype is None or str(o.datatype) not in SHADOWED_TYPES or o.language:
        return None
    kind = ILL_TYPED_DATATYPE if getattr(o, "ill_typed", False) else SHADOW_DATATYPE
    return (
        to_ox(s),
        ox.NamedNode(SHADOW_PREDICATE + str(p)),
        ox.Literal(str(o), datatype=ox.NamedNode(kind + str(o.datatype)[len(XSD_NS) :])),
    )


def shadow_nquads(block: bytes) -> bytes:
    """The shadow quads of the literals in an N-Quads block whose form Oxigraph may rewrite.
    Found by the end of their line (a literal holds no raw newline), then cut in three at the
    first space (after the subject) and the first '> ' (after the predicate)."""
    out = []
    for m in _SHADOW_END.finditer(block):
        start = block.rfind(b"\n", 0, m.start()) + 1
        line = block[start : m.start()]
        s_end = line.find(b" ")
        p_end = line.find(b"> ", s_end + 1)
        if s_end < 0 or p_end < 0 or line[s_end + 1 : s_end + 2] != b"<":
            continue
        out.append(
            b'%s <urn:x-chipkg:lexical:%s> %s"^^<urn:x-chipkg:xsd:%s> %s .\n'
            % (line[:s_end], line[s_end + 2 : p_end], line[p_end + 2 :], m.group(1), m.group(2))
        )
    return b"".join(out)
