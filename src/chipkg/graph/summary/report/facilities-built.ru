# title: Facilities built or expanded (per report graph)
# question: Each current claim that an actor builds or expands a facility, with its page: the row
#   selection (in page order) of the library query facilities-built.
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
INSERT { GRAPH <https://w3id.org/chipkg/id/summary> { ?claim cks:facilityBuiltOnPage ?page } }
WHERE {
  $graphs
  { SELECT ?g ?claim WHERE {
      $graphs VALUES ?p { ckg:builds ckg:expands } GRAPH ?g { ?claim ckg:claimPredicate ?p } } }
  { SELECT ?g ?claim WHERE { $graphs GRAPH ?g { ?claim ckg:claimObject ?o } } }
  MINUS { SELECT ?g ?claim WHERE { $graphs GRAPH ?g { ?newer ckg:supersedes ?claim } } }
  { SELECT ?g ?claim ?p WHERE { $graphs GRAPH ?g { ?claim ckg:statedIn ?p } } }
  { SELECT ?g ?p ?page WHERE { $graphs GRAPH ?g { ?p ckg:pageNumber ?page } } }
}
