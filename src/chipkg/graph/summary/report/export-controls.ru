# title: Export-control claims (per report graph)
# question: Each current claim that restricts exports of or to something or adds it to a control
#   list, with its page: the row selection (in page order) of the library query
#   export-control-targets.
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
INSERT { GRAPH <https://w3id.org/chipkg/id/summary> { ?claim cks:exportControlOnPage ?page } }
WHERE {
  $graphs
  { SELECT ?g ?claim WHERE {
      $graphs
      VALUES ?p { ckg:restrictsExportOf ckg:restrictsExportTo ckg:addsToControlList }
      GRAPH ?g { ?claim ckg:claimPredicate ?p } } }
  { SELECT ?g ?claim WHERE { $graphs GRAPH ?g { ?claim ckg:claimObject ?o } } }
  MINUS { SELECT ?g ?claim WHERE { $graphs GRAPH ?g { ?newer ckg:supersedes ?claim } } }
  { SELECT ?g ?claim ?p WHERE { $graphs GRAPH ?g { ?claim ckg:statedIn ?p } } }
  { SELECT ?g ?p ?page WHERE { $graphs GRAPH ?g { ?p ckg:pageNumber ?page } } }
}
