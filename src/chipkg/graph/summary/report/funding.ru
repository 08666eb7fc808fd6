# title: Funding claims (per report graph)
# question: Each current funding or investment claim, with the currency and the amount it states
#   ("" and 0 when it states none): the row selection (by currency, then largest amount first) of
#   the library query funding.
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
PREFIX schema: <https://schema.org/>
INSERT { GRAPH <https://w3id.org/chipkg/id/summary> { ?claim cks:fundingCurrency ?cur ; cks:fundingAmount ?amount } }
WHERE {
  $graphs
  { SELECT ?g ?claim WHERE {
      $graphs VALUES ?p { ckg:funds ckg:investsIn } GRAPH ?g { ?claim ckg:claimPredicate ?p } } }
  { SELECT ?g ?claim WHERE { $graphs GRAPH ?g { ?claim ckg:claimObject ?o } } }
  MINUS { SELECT ?g ?claim WHERE { $graphs GRAPH ?g { ?newer ckg:supersedes ?claim } } }
  OPTIONAL {
    { SELECT ?g ?claim ?a WHERE { $graphs GRAPH ?g { ?claim ckg:amount ?a } } }
    { SELECT ?g ?a ?value WHERE { $graphs GRAPH ?g { ?a schema:value ?value } } }
    { SELECT ?g ?a ?currency WHERE { $graphs GRAPH ?g { ?a schema:currency ?currency } } }
  }
  BIND(COALESCE(?currency, "") AS ?cur)
  BIND(COALESCE(?value, 0) AS ?amount)
}
