# title: Funding claims (per report graph)
# question: Each current funding or investment claim, with the key it sorts by: its currency,
#   then its amount, largest first (the claims that state no amount last): the row
#   selection of the library query funding.
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
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
  # the order as one short string, stored inline so that sorting reads nothing else: the
  # currency code, then 12 base-36 digits of (36^12 - 1 - amount), so the largest amount
  # comes first (exact for whole amounts below 36^12, about 4.7 x 10^18)
  BIND(4738381338321616895 - FLOOR(?value) AS ?rest)
  BIND(FLOOR(?rest / 131621703842267136) AS ?d11)
  BIND(FLOOR(?rest / 3656158440062976) - 36 * FLOOR(?rest / 131621703842267136) AS ?d10)
  BIND(FLOOR(?rest / 101559956668416) - 36 * FLOOR(?rest / 3656158440062976) AS ?d9)
  BIND(FLOOR(?rest / 2821109907456) - 36 * FLOOR(?rest / 101559956668416) AS ?d8)
  BIND(FLOOR(?rest / 78364164096) - 36 * FLOOR(?rest / 2821109907456) AS ?d7)
  BIND(FLOOR(?rest / 2176782336) - 36 * FLOOR(?rest / 78364164096) AS ?d6)
  BIND(FLOOR(?rest / 60466176) - 36 * FLOOR(?rest / 2176782336) AS ?d5)
  BIND(FLOOR(?rest / 1679616) - 36 * FLOOR(?rest / 60466176) AS ?d4)
  BIND(FLOOR(?rest / 46656) - 36 * FLOOR(?rest / 1679616) AS ?d3)
  BIND(FLOOR(?rest / 1296) - 36 * FLOOR(?rest / 46656) AS ?d2)
  BIND(FLOOR(?rest / 36) - 36 * FLOOR(?rest / 1296) AS ?d1)
  BIND(FLOOR(?rest / 1) - 36 * FLOOR(?rest / 36) AS ?d0)
  BIND("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" AS ?digits)
  BIND(CONCAT(STR(?currency), SUBSTR(?digits, xsd:integer(?d11) + 1, 1), SUBSTR(?digits, xsd:integer(?d10) + 1, 1), SUBSTR(?digits, xsd:integer(?d9) + 1, 1), SUBSTR(?digits, xsd:integer(?d8) + 1, 1), SUBSTR(?digits, xsd:integer(?d7) + 1, 1), SUBSTR(?digits, xsd:integer(?d6) + 1, 1), SUBSTR(?digits, xsd:integer(?d5) + 1, 1), SUBSTR(?digits, xsd:integer(?d4) + 1, 1), SUBSTR(?digits, xsd:integer(?d3) + 1, 1), SUBSTR(?digits, xsd:integer(?d2) + 1, 1), SUBSTR(?digits, xsd:integer(?d1) + 1, 1), SUBSTR(?digits, xsd:integer(?d0) + 1, 1)) AS ?sortKey)
  BIND(COALESCE(?sortKey, "~") AS ?key)  # no amount stated: last ("~" sorts after the letters)
}
