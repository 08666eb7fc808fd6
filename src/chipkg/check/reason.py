"""OWL 2 reasoning over the reference entities and the facts about them, with HermiT.

``reason(data, ontology)`` loads the ontology plus the entities and relation triples of ``data``
(one report graph with the entities graph, or any graph holding them) into a fresh owlready2
world, runs HermiT (Java), and returns:

* whether the facts are consistent with the ontology; if not, the offending individuals, why
  (which disjoint classes, which domain or range), and the claims that state their relations;
* the triples HermiT infers (a facility in a region in a country is in that country; the inverse
  ``ckg:contains``; more specific types) as a separate graph named ``id:graph/inferred``,
  holding only triples that are not already in the input: inferred facts are never mixed into
  asserted ones.

Only what the ontology constrains goes to the reasoner: entity types, relations between entities
(``ckg:relation`` and its kin) and their data values. The provenance layer (passages, citations)
is the SHACL shapes' business. owlready2 reads N-Triples only, so the input is converted with
rdflib; literals whose datatype is outside the OWL 2 datatype map (``xsd:date``, ``xsd:gYear``,
``xsd:gYearMonth``, ``xsd:duration`` …), which HermiT rejects, are left out and counted.

Pure function: nothing is printed; temporary files are removed. Without Java, ``JavaMissing``
(exit code 3) is raised before anything else is done.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL
from rdflib.term import Node

from chipkg.errors import ChipkgError
from chipkg.graph.vocab import CKG, ID, PROV, RDF, RDFS, XSD

INFERRED_GRAPH = ID["graph/inferred"]
REASONING_ACTIVITY = ID["reasoning/hermit"]
_INFERRENCES = "http://inferrences"  # owlready2's ontology for inferred facts (sic)

# The OWL 2 datatype map (OWL 2 Structural Specification §4), plus rdf:langString (RDF 1.1).
_XSD_IN_OWL2 = (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger "
    "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte double float "
    "string normalizedString token language Name NCName NMTOKEN boolean hexBinary "
    "base64Binary anyURI dateTime dateTimeStamp"
)
OWL2_DATATYPES = frozenset(
    [RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal, OWL.real, OWL.rational]
    + [XSD[t] for t in _XSD_IN_OWL2.split(" ")]
)

# Relations between entities beyond the subproperties of ckg:relation.
_EXTRA_RELATIONS = (
    CKG.operatedBy,
    CKG.contains,
    CKG.acquiredBy,
    CKG.partOf,
    CKG.country,
    CKG.createsJobs,
)
# The classes whose instances are reference entities.
_ENTITY_ROOTS = (CKG.Actor, CKG.Policy, CKG.Place, CKG.Technology, CKG.MonetaryAmount)


class JavaMissing(ChipkgError):
    """HermiT needs a Java runtime and none was found. Exit code 3."""

    def __init__(self, java: str) -> None:
        super().__init__(
            f"cannot reason: HermiT needs a Java runtime and {java!r} was not found",
            hint="install a Java runtime (Java 11 or later, e.g. `apt-get install "
            "default-jre-headless`) and put `java` on PATH; SHACL validation does not need Java",
            exit_code=3,
        )


@dataclass(frozen=True)
class ClaimRef:
    """A claim that states a relation of an offending individual, and where it is stated."""

    claim: str
    predicate: str | None
    passage: str | None
    passage_text: str | None
    page: int | None


@dataclass(frozen=True)
class Inconsistency:
    """An individual that cannot exist as the graph describes it."""

    individual: str
    label: str
    reason: str  # what contradicts what — what to do
    types: tuple[str, ...]  # its asserted classes
    claims: tuple[ClaimRef, ...]


@dataclass(frozen=True)
class ReasonResult:
    consistent: bool
    inconsistent: tuple[Inconsistency, ...]
    inferred: Graph  # named INFERRED_GRAPH; only triples not in the input
    dropped_literals: int  # literals left out: datatype outside the OWL 2 datatype map


def reason(data: Graph, ontology: Graph) -> ReasonResult:
    """Run HermiT on the ontology plus the entity facts of ``data``; see the module docstring."""
    import owlready2

    java = owlready2.JAVA_EXE
    if shutil.which(java) is None:
        raise JavaMissing(java)
    model = _Model(ontology)
    facts, dropped = reasoning_input(data, ontology, model)
    world = owlready2.World()
    with tempfile.TemporaryDirectory(prefix="chipkg-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        path.write_bytes(facts.serialize(format="nt", encoding="utf-8"))
        world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            found = _explain(data, facts, model) or _explain_with_pellet(data, facts, path, model)
            world.close()
            return ReasonResult(False, tuple(found), Graph(identifier=INFERRED_GRAPH), dropped)
        except owlready2.OwlReadyJavaError as exc:
            world.close()
            raise ChipkgError(
                f"HermiT failed: {str(exc).strip().splitlines()[-1] if str(exc).strip() else exc}",
                hint="check that `java -version` works and reports Java 11 or later",
            ) from None
    buf = io.BytesIO()
    world.get_ontology(_INFERRENCES + "/").save(file=buf, format="ntriples")
    world.close()
    inferred = Graph(identifier=INFERRED_GRAPH)
    known = data + facts
    for triple in Graph().parse(data=buf.getvalue().decode("utf-8"), format="nt"):
        s, _p, _o = triple
        if str(s).rstrip("/") == _INFERRENCES or triple in known:
            continue
        inferred.add(triple)
    return ReasonResult(True, (), inferred, dropped)


def inferred_graph_description(result: ReasonResult) -> Graph:
    """Triples that say what the inferred graph is (for the default graph of a dataset): a
    prov:Entity generated by a HermiT run, never asserted."""
    import owlready2

    g = Graph()
    g.add((INFERRED_GRAPH, RDF.type, PROV.Entity))
    g.add((INFERRED_GRAPH, PROV.wasGeneratedBy, REASONING_ACTIVITY))
    g.add(
        (
            INFERRED_GRAPH,
            RDFS.label,
            Literal("triples inferred by OWL 2 reasoning (not asserted)", lang="en"),
        )
    )
    g.add((INFERRED_GRAPH, RDFS.label, Literal("推理得到的三元组（非断言）", lang="zh")))
    g.add((REASONING_ACTIVITY, RDF.type, PROV.Activity))
    g.add(
        (
            REASONING_ACTIVITY,
            RDFS.label,
            Literal(f"HermiT via owlready2 {owlready2.VERSION}", lang="en"),
        )
    )
    g.add((REASONING_ACTIVITY, RDFS.comment, Literal(f"{len(result.inferred)} triples", lang="en")))
    return g


# ---------------------------------------------------------------------------------------------
# What goes to the reasoner
# ---------------------------------------------------------------------------------------------


def reasoning_input(data: Graph, ontology: Graph, model: _Model | None = None) -> tuple[Graph, int]:
    """The ontology plus the entities of ``data`` (individuals of the domain classes: their types
    and labels) and the relations between them. Returns the graph and the number of literals
    left out because HermiT does not support their datatype."""
    model = model or _Model(ontology)
    out = Graph()
    out += ontology
    dropped = 0
    entities = {
        s
        for s, o in data.subject_objects(RDF.type)
        if isinstance(s, URIRef) and o in model.entity_classes
    }
    for s in entities:
        for o in data.objects(s, RDF.type):
            if isinstance(o, URIRef) and (o in model.classes or not str(o).startswith(str(CKG))):
                out.add((s, RDF.type, o))
        for label in data.objects(s, RDFS.label):
            out.add((s, RDFS.label, label))
    for p in model.relations:
        for s, o in data.subject_objects(p):
            if isinstance(s, BNode) or isinstance(o, BNode):
                continue
            if (
                isinstance(o, Literal)
                and o.datatype is not None
                and o.datatype not in OWL2_DATATYPES
            ):
                dropped += 1
                continue
            out.add((s, p, o))
    return out, dropped


class _Model:
    """The parts of the ontology that explain an inconsistency: class hierarchy, disjointness,
    domains and ranges (with unions), inverses."""

    def __init__(self, onto: Graph) -> None:
        self.onto = onto
        self.classes = {s for s in onto.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
        self.parents: dict[Node, set[Node]] = {}
        for s, o in onto.subject_objects(RDFS.subClassOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                self.parents.setdefault(s, set()).add(o)
        self.disjoint: set[frozenset] = set()
        for node in onto.subjects(RDF.type, OWL.AllDisjointClasses):
            members = list(Collection(onto, onto.value(node, OWL.members)))
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    self.disjoint.add(frozenset((a, b)))
        for a, b in onto.subject_objects(OWL.disjointWith):
            self.disjoint.add(frozenset((a, b)))
        self.entity_classes = {c for c in self.classes if self.ancestors(c) & set(_ENTITY_ROOTS)}
        relation_props = set(onto.transitive_subjects(RDFS.subPropertyOf, CKG.relation))
        self.relations = sorted((relation_props - {CKG.relation}) | set(_EXTRA_RELATIONS))
        self.inverse: dict[Node, Node] = {}
        for a, b in onto.subject_objects(OWL.inverseOf):
            self.inverse[a], self.inverse[b] = b, a

    def ancestors(self, c: Node) -> set[Node]:
        seen, todo = {c}, [c]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def class_expression(self, node: Node | None) -> tuple[Node, ...]:
        """A named class, or the members of an owl:unionOf (an empty tuple for anything else)."""
        if node is None:
            return ()
        if isinstance(node, URIRef):
            return (node,)
        union = self.onto.value(node, OWL.unionOf)
        return tuple(Collection(self.onto, union)) if union is not None else ()

    def domain(self, p: Node) -> tuple[Node, ...]:
        return self.class_expression(self.onto.value(p, RDFS.domain))

    def range(self, p: Node) -> tuple[Node, ...]:
        return self.class_expression(self.onto.value(p, RDFS.range))

    def disjoint_with(self, a: Node, b: Node) -> tuple[Node, Node] | None:
        """The declared disjoint pair behind a ⟂ b, if any."""
        for x in self.ancestors(a):
            for y in self.ancestors(b):
                if frozenset((x, y)) in self.disjoint:
                    return (x, y)
        return None


# ---------------------------------------------------------------------------------------------
# Explaining an inconsistency
# ---------------------------------------------------------------------------------------------


def _q(node: Node) -> str:
    s = str(node)
    return "ckg:" + s[len(str(CKG)) :] if s.startswith(str(CKG)) else s


def _explain(data: Graph, facts: Graph, model: _Model) -> list[Inconsistency]:
    """Name the individuals whose types (asserted, or implied by the domain and range of the
    relations they take part in) include two disjoint classes."""
    requirements: dict[Node, list[tuple[tuple[Node, ...], str]]] = {}
    for p in model.relations:
        inverse = model.inverse.get(p)
        for s, o in facts.subject_objects(p):
            for node, classes, why in (
                (s, model.domain(p), f"subject of {_q(p)}"),
                (o, model.range(p), f"object of {_q(p)}"),
                (o, model.domain(inverse) if inverse else (), f"object of {_q(p)}"),
                (s, model.range(inverse) if inverse else (), f"subject of {_q(p)}"),
            ):
                if classes and isinstance(node, URIRef):
                    requirements.setdefault(node, []).append((classes, why))
    individuals = {s for s, o in facts.subject_objects(RDF.type) if o not in (OWL.Class,)}
    individuals = {i for i in individuals if isinstance(i, URIRef) and i not in model.classes}
    individuals |= set(requirements)
    out = []
    for x in sorted(individuals, key=str):
        asserted = sorted(o for o in facts.objects(x, RDF.type) if o in model.classes)
        # every class x must belong to, with where it comes from
        known: list[tuple[Node, str]] = [(c, f"typed {_q(c)}") for c in asserted]
        for classes, why in requirements.get(x, ()):
            if len(classes) == 1:
                known.append((classes[0], f"{why} (domain/range {_q(classes[0])})"))
        reasons = []
        for i, (a, why_a) in enumerate(known):
            for b, why_b in known[i + 1 :]:
                pair = model.disjoint_with(a, b)
                if pair:
                    reasons.append(
                        f"{why_a} and {why_b}, but {_q(pair[0])} and {_q(pair[1])} are disjoint"
                    )
        for classes, why in requirements.get(x, ()):
            if len(classes) < 2:
                continue
            clashes = [
                next((w for c, w in known if model.disjoint_with(u, c)), None) for u in classes
            ]
            if known and all(clashes):
                members = " or ".join(_q(u) for u in classes)
                reasons.append(f"{why} needs {members}, but it is {clashes[0].split(' (')[0]}")
        if reasons:
            out.append(
                Inconsistency(
                    individual=str(x),
                    label=_label(data, x),
                    reason="; ".join(dict.fromkeys(reasons))
                    + " — fix its type in ontology/entities.csv, or the claim that relates it",
                    types=tuple(str(c) for c in asserted),
                    claims=_claims_about(data, x),
                )
            )
    return out


_PELLET_LINE = re.compile(r"^\s*(?:\d+\)\s*)?(\S+)\s+(\S+)\s+(\S+)\s*$")


def _explain_with_pellet(
    data: Graph, facts: Graph, path: Path, model: _Model
) -> list[Inconsistency]:
    """Fallback for inconsistencies that are not plain disjointness: ask Pellet (bundled with
    owlready2) for one justification and name the individuals in it."""
    import owlready2
    from owlready2 import reasoning

    command = [
        owlready2.JAVA_EXE,
        f"-Xmx{reasoning.JAVA_MEMORY}M",
        "-cp",
        reasoning._PELLET_CLASSPATH,
        "pellet.Pellet",
        "explain",
        "--ignore-imports",
        str(path),
    ]
    try:
        output = subprocess.run(command, capture_output=True, check=False, timeout=600).stdout
    except (OSError, subprocess.TimeoutExpired):
        output = b""
    text = output.decode("utf-8", "replace")
    axioms = [
        line.strip() for line in text.split("Explanation(s):", 1)[-1].splitlines() if line.strip()
    ]
    # Pellet prints local names: map them back to the individuals that went to the reasoner
    by_name: dict[str, set[URIRef]] = {}
    for p in model.relations + [RDF.type]:
        for s, o in facts.subject_objects(p):
            for node in (s, o) if p != RDF.type else (s,):
                if isinstance(node, URIRef) and str(node).startswith(str(ID)):
                    by_name.setdefault(re.split(r"[/#]", str(node))[-1], set()).add(node)
    named: list[URIRef] = []
    for line in axioms:
        m = _PELLET_LINE.match(line)
        if not m:
            continue
        for token in (m.group(1), m.group(3)):
            for iri in sorted(by_name.get(token, ()), key=str):
                if iri not in named and iri not in model.classes:
                    named.append(iri)
    explanation = " · ".join(axioms) or "no explanation available"
    if not named:
        return [
            Inconsistency(
                individual="",
                label="",
                reason=f"HermiT found the facts inconsistent with the ontology ({explanation}) "
                "— check the entity types in ontology/entities.csv against the claims",
                types=(),
                claims=(),
            )
        ]
    return [
        Inconsistency(
            individual=str(x),
            label=_label(data, x),
            reason=f"in a contradiction found by Pellet: {explanation} — fix its type in "
            "ontology/entities.csv, or the claim that relates it",
            types=tuple(sorted(str(c) for c in data.objects(x, RDF.type))),
            claims=_claims_about(data, x),
        )
        for x in named
    ]


def _label(data: Graph, node: Node) -> str:
    labels = [lit for lit in data.objects(node, RDFS.label) if isinstance(lit, Literal)]
    for lang in ("en", "zh", None):
        for lit in sorted(labels, key=str):
            if lit.language == lang:
                return str(lit)
    return str(node)


def _claims_about(data: Graph, node: Node) -> tuple[ClaimRef, ...]:
    claims: Iterable[Node] = set(data.subjects(CKG.claimSubject, node)) | set(
        data.subjects(CKG.claimObject, node)
    )
    refs = []
    for c in sorted(claims, key=str):
        passage = data.value(c, CKG.statedIn)
        text = data.value(passage, CKG.text) if passage is not None else None
        page = data.value(passage, CKG.pageNumber) if passage is not None else None
        predicate = data.value(c, CKG.claimPredicate)
        refs.append(
            ClaimRef(
                claim=str(c),
                predicate=str(predicate) if predicate is not None else None,
                passage=str(passage) if passage is not None else None,
                passage_text=str(text) if text is not None else None,
                page=int(page) if page is not None else None,
            )
        )
    return tuple(refs)
