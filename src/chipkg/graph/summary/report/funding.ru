# title: Funding claims (per report graph)
# question: Each current funding or investment claim, with the key it sorts by: its currency,
#   then its amount, largest first (0, first of all, for a claim that states no amount): the row
#   selection of the library query funding.
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
PREFIX schema: <https://schema.org/>
INSERT { GRAPH <https://w3id.org/chipkg/id/summary> { ?claim cks:fundingKey ?key } }
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
  # the order as one number (stored inline, so sorting reads nothing else): the currency code
  # (A–Z as 0–25, three letters) then the amount, largest first; amounts of 10^15 or more in their
  # currency sort as equal
  BIND("ABCDEFGHIJKLMNOPQRSTUVWXYZ" AS ?abc)
  BIND(UCASE(STR(?currency)) AS ?code)
  BIND(1 + 676 * STRLEN(STRBEFORE(?abc, SUBSTR(?code, 1, 1)))
         + 26 * STRLEN(STRBEFORE(?abc, SUBSTR(?code, 2, 1)))
         + STRLEN(STRBEFORE(?abc, SUBSTR(?code, 3, 1))) AS ?rank)
  BIND(IF(?value > 999999999999999, 999999999999999.0, FLOOR(?value)) AS ?capped)
  BIND(?rank * 1000000000000000.0 + 999999999999999.0 - ?capped AS ?sortKey)
  BIND(COALESCE(?sortKey, 0.0) AS ?key)  # no amount stated: first
}
