"""The search box's query language as data: OR-groups of terms (words or phrases, each perhaps negated).

Pure rules, no database: the selectors turn a parsed query into PostgreSQL full-text search, expanding
each positive term with its synonyms *inside* the query, so phrases and `-word` keep their meaning.
Precedence follows `websearch_to_tsquery`: `a b OR c` is `(a AND b) OR c`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    text: str  # lower case; words of a phrase joined by one space
    phrase: bool = False
    negate: bool = False

    def show(self) -> str:
        body = f'"{self.text}"' if self.phrase else self.text
        return ("-" if self.negate else "") + body


def query_parse(normalised: str) -> list[list[Term]]:
    """Groups joined by OR; the terms in a group are all required. Takes `search_text_normalise` output."""
    groups: list[list[Term]] = [[]]
    for token in _TOKEN.findall(normalised or ""):
        negate = token.startswith("-")
        body = token.lstrip("-")
        if body.lower() == "or" and not negate:
            if groups[-1]:
                groups.append([])
            continue
        words = [w.lower() for w in _WORD.findall(body.replace("_", " "))]
        if not words:
            continue
        if body.startswith('"'):  # a quoted word or phrase is taken exactly: no synonyms
            groups[-1].append(Term(" ".join(words), phrase=True, negate=negate))
        else:
            groups[-1].append(Term(words[0], negate=negate))
            groups[-1].extend(Term(w) for w in words[1:])
    return [g for g in groups if g]


def query_show(groups: list[list[Term]]) -> str:
    return " OR ".join(" ".join(t.show() for t in group) for group in groups)


def synonym_groups(rows) -> dict[str, set[str]]:
    """Each word or phrase to every member of its synonym groups (itself included), from (term, words)."""
    out: dict[str, set[str]] = {}
    for term, words in rows:
        group = {" ".join(_WORD.findall(w.lower())) for w in [term, *words]} - {""}
        for member in group:
            out.setdefault(member, set()).update(group)
    return out


def synonyms_for(text: str, groups: dict[str, set[str]]) -> list[str]:
    """The term itself first, then its synonyms; a plural `s` is tried when the word itself has none."""
    found = groups.get(text)
    if found is None and text.endswith("s") and len(text) > 3:
        found = groups.get(text[:-1])
    return [text, *sorted((found or set()) - {text})]
