# title: Sources by publisher kind (per report graph)
# question: For each report graph and publisher kind, how many distinct sources of that kind the
#   report cites and how many distinct passages cite one of them with the marker in the sentence
#   itself. Read by the library query sources-by-publisher-kind.
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
INSERT { GRAPH <https://w3id.org/chipkg/id/summary> {
  ?n a cks:PublisherKindTotal ; cks:report ?r ; cks:kind ?k ; cks:sources ?sources ;
     cks:sentences ?sentences } }
WHERE {
  $graphs
  GRAPH ?g { ?r a ckg:Report }
  { SELECT ?g ?k (COUNT(DISTINCT ?source) AS ?sources) (COUNT(DISTINCT ?passage) AS ?sentences)
    WHERE {
      { SELECT ?g ?source ?k WHERE { $graphs GRAPH ?g { ?source a ckg:Source ; ckg:publisherKind ?k } } }
      OPTIONAL { SELECT ?g ?source ?passage WHERE {
          $graphs GRAPH ?g { ?passage ckg:citedInSentence ?source } } }
    } GROUP BY ?g ?k }
  BIND(IRI(CONCAT(STR(?r), "/publisher-kind/", MD5(STR(?k)))) AS ?n)
}
