"""Verification: does the page a sentence cites say what the sentence claims?

The steps, one module each (docs/verification.md walks one claim through them):

* ``archive`` — the source archive, WARC files in ``graph/archive/`` (the build folder's
  sibling): reading every record, the state of each cited URL (archived, failed, missing),
  writing new records atomically (temporary file, then rename);
* ``fetch`` — retrieving cited URLs politely (robots.txt, one request per host at a time with a
  delay, timeouts, retries with back-off, a size limit, redirects recorded);
* ``importer`` — adding archives made elsewhere (a WARC file, a folder of saved pages);
* ``text`` — the text of an archived source (HTML through trafilatura, PDF through pypdf),
  cached by the payload's digest; offsets into that text are what snippets point at;
* ``notation`` — names, amounts and dates as a source writes them, in several languages;
* ``claims`` — the claims to verify, their names and facets, read from the built graph;
* ``verdict`` — looking for each claim's evidence in each source it cites;
* ``graph`` — the verdicts as Web Annotations in the named graph ``id:graph/verification``.
"""
