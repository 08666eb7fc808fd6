"""What the endpoint checks in a query's text before any engine sees it.

Two things cannot be left to the engine:

* ``SERVICE <url>`` makes Oxigraph fetch the address itself, so a read-only endpoint on a private
  network would become a way to reach any address behind it. It is refused unless the server was
  started with ``--allow-service``.
* Oxigraph's parser recurses: a few thousand nested groups overflow its stack and the process
  dies (measured: 2,000 nested ``{`` parse, 3,000 crash). Queries nesting groups, expressions,
  collections or blank-node lists deeper than ``MAX_DEPTH`` are refused with a clear message.
  (A worker that dies anyway is replaced; see ``engine``.)

The scan is a tokenizer for the SPARQL 1.1 terminals that can hide a keyword (strings, IRIs,
comments, variables, prefixed names and blank-node labels), so the word ``service`` in a string,
an IRI, a comment, a variable or a prefixed name is not mistaken for the keyword. Oxigraph, like
the grammar, does not process ``\\u`` escapes outside strings and IRIs, so neither does this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DEPTH = 1000

# PN_CHARS of the grammar, with Python's \w covering the letter and digit ranges
_NAME = r"[\w\-\u00B7\u0300-\u036F\u203F-\u2040]"
_LOCAL = rf"(?:{_NAME}|[.:%]|\\[_~.\-!$&'()*+,;=/?#@%])*"
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:'{0,2}(?:[^'\\]|\\.))*'''
                | \"\"\"(?:"{0,2}(?:[^"\\]|\\.))*\"\"\"
                | '(?:[^'\\\r\n]|\\.)*'
                | "(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]"""
    + _NAME
    + r"""+)
    | (?P<pname>(?:[^\W\d_]"""
    + _NAME
    + r"""*(?:\."""
    + _NAME
    + r"""+)*)?:"""
    + _LOCAL
    + r""")
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Screen:
    service: bool  # the query uses SERVICE
    depth: int  # deepest nesting of { ( [


def screen(text: str) -> Screen:
    service = False
    depth = deepest = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word" and m.group().upper() == "SERVICE":
            service = True
        elif kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
    return Screen(service, deepest)
