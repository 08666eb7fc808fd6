# title: Claims with no source (per report graph)
# question: Each current claim whose passage is cited by no marker, paragraph scope or article
#   lead, with its page: the row selection (in page order) of the library query
#   claims-without-source.
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT { GRAPH <https://w3id.org/chipkg/id/summary> { ?claim cks:unsourcedOnPage ?page } }
WHERE {
  $graphs
  # one scan per property, hash-joined (each in its own sub-SELECT)
  { SELECT ?g ?claim WHERE { $graphs GRAPH ?g { ?claim a ckg:Claim } } }
  MINUS { SELECT ?g ?claim WHERE { $graphs GRAPH ?g { ?claim prov:wasDerivedFrom ?any } } }
  MINUS { SELECT ?g ?claim WHERE { $graphs GRAPH ?g { ?newer ckg:supersedes ?claim } } }
  { SELECT ?g ?claim ?p WHERE { $graphs GRAPH ?g { ?claim ckg:statedIn ?p } } }
  { SELECT ?g ?p ?page WHERE { $graphs GRAPH ?g { ?p ckg:pageNumber ?page } } }
}
