"""The project vocabulary in one place: the closed ckg namespace (kept in step with
ontology/chipkg.ttl by a test) and the external vocabularies it builds on."""

from __future__ import annotations

from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Namespace, URIRef
from rdflib.namespace import SDO, DefinedNamespace

OA = Namespace("http://www.w3.org/ns/oa#")
ID = Namespace("https://w3id.org/chipkg/id/")


class CKG(DefinedNamespace):
    """Terms of ontology/chipkg.ttl. An unknown term raises AttributeError."""

    _NS = Namespace("https://w3id.org/chipkg/ontology#")
    _fail = True

    # verification of claims against their sources (chipkg verify; ontology block of its own)
    NotFoundInSource: URIRef
    PartiallySupported: URIRef
    SourceUnavailable: URIRef
    Supported: URIRef
    Verdict: URIRef
    Verification: URIRef
    VerificationRun: URIRef
    archivedTextDigest: URIRef
    checkedSource: URIRef
    explanation: URIRef
    foundPart: URIRef
    missingPart: URIRef
    toolVersion: URIRef
    verdict: URIRef
    verifiedClaim: URIRef
    warcRecordId: URIRef

    # classes and individuals
    AcademicPublisher: URIRef
    Actor: URIRef
    Article: URIRef
    Association: URIRef
    Citation: URIRef
    CitationLevel: URIRef
    CitationStyle: URIRef
    Claim: URIRef
    Clause: URIRef
    Company: URIRef
    CompanyPublisher: URIRef
    ContinuousFootnotes: URIRef
    Country: URIRef
    Endnote: URIRef
    Endnotes: URIRef
    ExportControl: URIRef
    Extraction: URIRef
    Fab: URIRef
    Facility: URIRef
    Footnote: URIRef
    FundingProgram: URIRef
    GovernmentAgency: URIRef
    GovernmentPublisher: URIRef
    IndustrialCluster: URIRef
    Law: URIRef
    LeadLevel: URIRef
    Marker: URIRef
    MediaPublisher: URIRef
    MonetaryAmount: URIRef
    Organization: URIRef
    OtherPublisher: URIRef
    PackagingFacility: URIRef
    Page: URIRef
    PageFootnotes: URIRef
    Paragraph: URIRef
    ParagraphLevel: URIRef
    ParseFinding: URIRef
    Passage: URIRef
    Person: URIRef
    PilotLine: URIRef
    Place: URIRef
    Policy: URIRef
    PrintedSource: URIRef
    Product: URIRef
    PublisherKind: URIRef
    Region: URIRef
    Report: URIRef
    ResearchCenter: URIRef
    ResearchInstitution: URIRef
    Section: URIRef
    SentenceLevel: URIRef
    Source: URIRef
    Strategy: URIRef
    SupranationalBody: URIRef
    Technology: URIRef
    TechnologyScheme: URIRef
    ThinkTank: URIRef
    ThinkTankPublisher: URIRef
    TradeInvestigation: URIRef

    # properties
    acquiredBy: URIRef
    acquires: URIRef
    addsToControlList: URIRef
    amount: URIRef
    amountQualifier: URIRef
    builds: URIRef
    citationLevel: URIRef
    citationStyle: URIRef
    citedAsLead: URIRef
    citedInClause: URIRef
    citedInParagraph: URIRef
    citedInSentence: URIRef
    cites: URIRef
    claimObject: URIRef
    claimPredicate: URIRef
    claimSubject: URIRef
    claimValue: URIRef
    clauseOf: URIRef
    clauseSource: URIRef
    contains: URIRef
    count: URIRef
    country: URIRef
    createsJobs: URIRef
    dangling: URIRef
    date: URIRef
    develops: URIRef
    domain: URIRef
    duration: URIRef
    endsAtMarker: URIRef
    expands: URIRef
    extractionRule: URIRef
    extractorVersion: URIRef
    findingKind: URIRef
    footnoteNumber: URIRef
    funds: URIRef
    inArticle: URIRef
    inParagraph: URIRef
    inPassage: URIRef
    inReport: URIRef
    inSection: URIRef
    investigates: URIRef
    investsIn: URIRef
    issuer: URIRef
    launches: URIRef
    leadSource: URIRef
    lineNumber: URIRef
    locatedIn: URIRef
    mentions: URIRef
    message: URIRef
    mintedFrom: URIRef
    noteText: URIRef
    onPage: URIRef
    operatedBy: URIRef
    operates: URIRef
    pageNumber: URIRef
    partOf: URIRef
    partnersWith: URIRef
    passageKind: URIRef
    printedAs: URIRef
    provisional: URIRef
    publisherKind: URIRef
    publisherName: URIRef
    refersTo: URIRef
    relation: URIRef
    researches: URIRef
    restrictsExportOf: URIRef
    restrictsExportTo: URIRef
    rubric: URIRef
    sectionLabel: URIRef
    sectionLevel: URIRef
    sectionPath: URIRef
    sequence: URIRef
    setsTarget: URIRef
    severity: URIRef
    sha256: URIRef
    sourceFile: URIRef
    statedConversion: URIRef
    statedIn: URIRef
    statedInClause: URIRef
    supersedes: URIRef
    supportedBy: URIRef
    targetUnit: URIRef
    targetValue: URIRef
    targetYear: URIRef
    text: URIRef
    viaFootnote: URIRef
    viaMarker: URIRef
    wikidata: URIRef


__all__ = ["CKG", "DCTERMS", "ID", "OA", "OWL", "PROV", "RDF", "RDFS", "SDO", "SKOS", "XSD"]
