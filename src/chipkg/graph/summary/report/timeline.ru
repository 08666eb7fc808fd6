# title: Dated claims and articles (per report graph)
# question: Each current claim with a date the text states, and each article with its date, with
#   the key they sort by: the date as text, then " a" for an article or " c" for a claim (short
#   enough to be stored inline, so sorting reads nothing else): the row selection (in time order)
#   of the library query timeline.
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT { GRAPH <https://w3id.org/chipkg/id/summary> { ?x cks:timelineKey ?key } }
WHERE {
  $graphs
  {
    { SELECT ?g ?x ?d WHERE { $graphs GRAPH ?g { ?x ckg:date ?d } } }
    MINUS { SELECT ?g ?x WHERE { $graphs GRAPH ?g { ?newer ckg:supersedes ?x } } }
    BIND(" c" AS ?what)
  } UNION {
    { SELECT ?g ?x ?d WHERE { $graphs GRAPH ?g { ?x a ckg:Article ; dcterms:date ?d } } }
    BIND(" a" AS ?what)
  }
  BIND(CONCAT(STR(?d), ?what) AS ?key)
}
