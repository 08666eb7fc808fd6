# title: Report statistics (per report graph)
# question: For each report graph, the counts of the build summary (chipkg.graph.summary): pages,
#   articles, sections, paragraphs, passages, markers, footnotes, distinct sources, dangling
#   markers, orphan footnotes, warnings, passages per citation level, distinct entities mentioned,
#   current, superseded and analysts' claims. Read by the library query stats.
# Each count is one pattern (or two hash-joined ones) grouped by graph: no sub-SELECT inside
# GRAPH ?g (pyoxigraph evaluates such a sub-SELECT over every graph). $graphs restricts every part
# to the report graphs being (re)computed (VALUES ?g { … }; nothing when all are).
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT { GRAPH <https://w3id.org/chipkg/id/summary> {
  ?r a cks:ReportStats ; cks:pages ?pages ; cks:articles ?articles ; cks:sections ?sections ;
     cks:paragraphs ?paragraphs ; cks:passages ?passages ; cks:markers ?markers ;
     cks:footnotes ?footnotes ; cks:sources ?sources ; cks:danglingMarkers ?dangling ;
     cks:orphanFootnotes ?orphans ; cks:warnings ?warnings ;
     cks:passagesSentenceLevel ?sentence ; cks:passagesParagraphLevel ?paragraphLevel ;
     cks:passagesLeadLevel ?lead ; cks:passagesUncited ?uncited ;
     cks:entitiesMentioned ?entities ; cks:claims ?claims ; cks:claimsSuperseded ?superseded ;
     cks:claimsByAnalysts ?analysts } }
WHERE {
  $graphs
  GRAPH ?g { ?r a ckg:Report }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n1) WHERE { $graphs GRAPH ?g { ?x a ckg:Page } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n2) WHERE { $graphs GRAPH ?g { ?x a ckg:Article } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n3) WHERE { $graphs GRAPH ?g { ?x a ckg:Section } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n4) WHERE { $graphs GRAPH ?g { ?x a ckg:Paragraph } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n5) WHERE { $graphs GRAPH ?g { ?x a ckg:Passage } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n6) WHERE { $graphs GRAPH ?g { ?x a ckg:Marker } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n7) WHERE { $graphs GRAPH ?g { ?x a ckg:Footnote } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n8) WHERE { $graphs GRAPH ?g { ?x a ckg:Source } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n9) WHERE { $graphs GRAPH ?g { ?x ckg:dangling true } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n10) WHERE {
      $graphs GRAPH ?g { ?x ckg:findingKind "orphan-footnote" } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n11) WHERE {
      $graphs GRAPH ?g { ?x ckg:severity "warning" } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (SUM(IF(?lv = ckg:SentenceLevel, 1, 0)) AS ?n12)
                       (SUM(IF(?lv = ckg:ParagraphLevel, 1, 0)) AS ?n13)
                       (SUM(IF(?lv = ckg:LeadLevel, 1, 0)) AS ?n14) WHERE {
      { SELECT ?g ?x WHERE { $graphs GRAPH ?g { ?x a ckg:Passage } } }
      { SELECT ?g ?x ?lv WHERE { $graphs GRAPH ?g { ?x ckg:citationLevel ?lv } } }
    } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n15) WHERE {
      { SELECT ?g ?x WHERE { $graphs GRAPH ?g { ?x a ckg:Passage } } }
      MINUS { SELECT ?g ?x WHERE { $graphs GRAPH ?g { ?x ckg:citationLevel ?lv } } }
    } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(DISTINCT ?x) AS ?n16) WHERE {
      $graphs GRAPH ?g { ?p ckg:mentions ?x } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n17) WHERE {
      { SELECT ?g ?x WHERE { $graphs GRAPH ?g { ?x a ckg:Claim } } }
      MINUS { SELECT ?g ?x WHERE { $graphs GRAPH ?g { ?y ckg:supersedes ?x } } }
    } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(DISTINCT ?x) AS ?n18) WHERE {
      $graphs GRAPH ?g { ?y ckg:supersedes ?x } } GROUP BY ?g }
  OPTIONAL { SELECT ?g (COUNT(*) AS ?n19) WHERE {
      { SELECT ?g ?x WHERE { $graphs GRAPH ?g { ?x a ckg:Claim } } }
      { SELECT DISTINCT ?g ?x WHERE { $graphs GRAPH ?g { ?x prov:wasAttributedTo ?who } } }
    } GROUP BY ?g }
  BIND(COALESCE(?n1, 0) AS ?pages) BIND(COALESCE(?n2, 0) AS ?articles)
  BIND(COALESCE(?n3, 0) AS ?sections) BIND(COALESCE(?n4, 0) AS ?paragraphs)
  BIND(COALESCE(?n5, 0) AS ?passages) BIND(COALESCE(?n6, 0) AS ?markers)
  BIND(COALESCE(?n7, 0) AS ?footnotes) BIND(COALESCE(?n8, 0) AS ?sources)
  BIND(COALESCE(?n9, 0) AS ?dangling) BIND(COALESCE(?n10, 0) AS ?orphans)
  BIND(COALESCE(?n11, 0) AS ?warnings) BIND(COALESCE(?n12, 0) AS ?sentence)
  BIND(COALESCE(?n13, 0) AS ?paragraphLevel) BIND(COALESCE(?n14, 0) AS ?lead)
  BIND(COALESCE(?n15, 0) AS ?uncited) BIND(COALESCE(?n16, 0) AS ?entities)
  BIND(COALESCE(?n17, 0) AS ?claims) BIND(COALESCE(?n18, 0) AS ?superseded)
  BIND(COALESCE(?n19, 0) AS ?analysts)
}
