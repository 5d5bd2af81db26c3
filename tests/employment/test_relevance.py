"""Search relevance: a fixed corpus and more than 30 queries with the results a jobseeker expects on top.

Each case names the acceptable first results, the relevant set, and anything that must not appear.
Precision@5 here is the share of the first five results that are relevant, out of the most that could be
(min(5, number relevant)), so a query with two relevant listings scores 1.0 when both are in the top five.
The mean is written to bench/results/relevance.json for `make bench` to report in docs/performance.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from employment.models import Synonym
from employment.selectors import opportunity_search

from .test_search import listing

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "relevance.json"
THRESHOLD = 0.9

CORPUS = [
    ("Commis chef", "Start your career in a busy restaurant. Full training given.", "job"),
    ("Chef de partie", "Run a section in a community kitchen, cooking seasonal dishes.", "job"),
    ("Kitchen porter", "Wash up and keep the kitchen clean. Help the cook with prep.", "job"),
    ("Head cook", "Cook lunches for a primary school.", "job"),
    ("Night care assistant", "Support residents in a care home overnight.", "job"),
    ("Day care assistant", "Support residents with daily living in a care home.", "job"),
    ("Home carer", "Visit older people in their homes and help with personal care.", "job"),
    ("HGV driver", "Class 2 deliveries across London.", "job"),
    ("Delivery van driver", "Multi-drop parcel deliveries. A full licence is needed.", "job"),
    ("Forklift operator", "Warehouse work for someone with a forklift licence.", "job"),
    ("Warehouse operative", "Picking and packing orders.", "job"),
    ("Level 3 electrician apprenticeship", "Learn electrical installation on site.", "apprenticeship"),
    ("Qualified electrician", "Wiring new homes and testing installations.", "job"),
    ("Plumber", "Fit bathrooms and repair heating systems.", "job"),
    ("Customer service adviser", "Answer calls and emails about community energy.", "job"),
    ("Receptionist", "Greet visitors at a GP surgery and book appointments.", "job"),
    ("Retail assistant", "Serve customers and stock shelves in a supermarket.", "job"),
    ("Cashier", "Work the tills in a busy shop.", "job"),
    ("Digital marketing apprenticeship", "Plan social media campaigns.", "apprenticeship"),
    ("Software developer", "Build web applications in Python.", "job"),
    ("Teaching assistant", "Support children in a primary school classroom.", "job"),
    ("Nursery practitioner", "Look after children aged two to four.", "job"),
    ("Food bank volunteer", "Sort donations and welcome visitors.", "volunteering"),
    ("Food hygiene level 2 course", "A one-day course with a certificate for kitchen work.", "training"),
    ("Forklift training course", "Get your forklift licence in three days.", "training"),
    ("Jobs fair: construction and green skills", "Meet employers who are hiring in construction.", "event"),
    ("Security officer", "Patrol a shopping centre at night.", "job"),
    ("Gardener", "Look after parks and green spaces.", "job"),
    ("Barista", "Make coffee in a busy cafe.", "job"),
    ("Cleaner", "Clean offices early in the morning.", "job"),
]
SYNONYMS = [
    ("chef", "cook, kitchen"),
    ("hgv", "lgv, lorry"),
    ("carer", "care assistant, care worker"),
]

CHEFS = {"Commis chef", "Chef de partie"}
ELECTRICIANS = {"Qualified electrician", "Level 3 electrician apprenticeship"}
CARE = {"Home carer", "Night care assistant", "Day care assistant"}
# (query, acceptable first results, relevant set, must not appear)
CASES = [
    ("chef", CHEFS, CHEFS | {"Kitchen porter", "Head cook"}, set()),
    ("kitchen -porter", CHEFS | {"Head cook"}, CHEFS | {"Head cook"}, {"Kitchen porter"}),
    ('"community kitchen"', {"Chef de partie"}, {"Chef de partie"}, {"Kitchen porter"}),
    ("cook", {"Head cook"}, {"Head cook"} | CHEFS | {"Kitchen porter"}, set()),
    ("carer", {"Home carer"}, CARE, set()),
    (
        "carer -night",
        {"Home carer", "Day care assistant"},
        {"Home carer", "Day care assistant"},
        {"Night care assistant"},
    ),
    (
        '"care assistant"',
        {"Night care assistant", "Day care assistant"},
        {"Night care assistant", "Day care assistant"},
        {"Home carer"},
    ),
    ("lorry driver", {"HGV driver"}, {"HGV driver"}, set()),
    ("lgv", {"HGV driver"}, {"HGV driver"}, set()),
    ("driver", {"HGV driver", "Delivery van driver"}, {"HGV driver", "Delivery van driver"}, set()),
    ("drivers", {"HGV driver", "Delivery van driver"}, {"HGV driver", "Delivery van driver"}, set()),
    ("electrician", ELECTRICIANS, ELECTRICIANS, set()),
    ("electricians", ELECTRICIANS, ELECTRICIANS, set()),
    ("electricain", ELECTRICIANS, ELECTRICIANS, set()),
    (
        "apprenticeship",
        {"Level 3 electrician apprenticeship", "Digital marketing apprenticeship"},
        {"Level 3 electrician apprenticeship", "Digital marketing apprenticeship"},
        set(),
    ),
    (
        "apprenticeships",
        {"Level 3 electrician apprenticeship", "Digital marketing apprenticeship"},
        {"Level 3 electrician apprenticeship", "Digital marketing apprenticeship"},
        set(),
    ),
    (
        "forklift",
        {"Forklift operator", "Forklift training course"},
        {"Forklift operator", "Forklift training course"},
        set(),
    ),
    ("forklift -course", {"Forklift operator"}, {"Forklift operator"}, {"Forklift training course"}),
    ("warehouse", {"Warehouse operative"}, {"Warehouse operative", "Forklift operator"}, set()),
    ("plumbr", {"Plumber"}, {"Plumber"}, set()),
    ("recepionist", {"Receptionist"}, {"Receptionist"}, set()),
    ("customer service", {"Customer service adviser"}, {"Customer service adviser"}, set()),
    ('"customer service"', {"Customer service adviser"}, {"Customer service adviser"}, {"Retail assistant"}),
    ("teaching assistant", {"Teaching assistant"}, {"Teaching assistant"}, set()),
    ("school", {"Head cook", "Teaching assistant"}, {"Head cook", "Teaching assistant"}, set()),
    (
        "children",
        {"Teaching assistant", "Nursery practitioner"},
        {"Teaching assistant", "Nursery practitioner"},
        set(),
    ),
    ("volunteer", {"Food bank volunteer"}, {"Food bank volunteer"}, set()),
    ("volunteering", {"Food bank volunteer"}, {"Food bank volunteer"}, set()),
    (
        "course",
        {"Food hygiene level 2 course", "Forklift training course"},
        {"Food hygiene level 2 course", "Forklift training course"},
        set(),
    ),
    (
        "food hygiene",
        {"Food hygiene level 2 course"},
        {"Food hygiene level 2 course"},
        {"Food bank volunteer"},
    ),
    ("security night", {"Security officer"}, {"Security officer"}, set()),
    ("cleaner OR gardener", {"Cleaner", "Gardener"}, {"Cleaner", "Gardener"}, set()),
    ("coffee", {"Barista"}, {"Barista"}, set()),
    ("baristas", {"Barista"}, {"Barista"}, set()),
    ("kitchn portr", {"Kitchen porter"}, {"Kitchen porter"}, set()),
    ("developer python", {"Software developer"}, {"Software developer"}, set()),
    (
        "construction",
        {"Jobs fair: construction and green skills"},
        {"Jobs fair: construction and green skills"},
        set(),
    ),
    (
        "green",
        {"Jobs fair: construction and green skills", "Gardener"},
        {"Jobs fair: construction and green skills", "Gardener"},
        set(),
    ),
    (
        "marketing apprentice",
        {"Digital marketing apprenticeship"},
        {"Digital marketing apprenticeship"},
        set(),
    ),
    # Both mention it only in the text ("shop", "shopping centre"): either may come first.
    ("shop", {"Cashier", "Security officer"}, {"Cashier", "Security officer"}, set()),
]


@pytest.fixture
def corpus(db):
    for term, alternatives in SYNONYMS:
        Synonym.objects.create(term=term, alternatives=alternatives)
    for title, summary, kind in CORPUS:
        listing(title, summary, kind=kind)


def precision_at_5(found: list[str], relevant: set[str]) -> float:
    return len(set(found[:5]) & relevant) / min(5, len(relevant))


@pytest.mark.django_db
def test_relevance_set(corpus):
    assert len(CASES) >= 30
    rows, failures = [], []
    for q, first, relevant, excluded in CASES:
        found = [o.title for o in opportunity_search(params={"q": q}).page.object_list]
        p5 = precision_at_5(found, relevant)
        rows.append({"query": q, "precision_at_5": round(p5, 3), "top": found[:5]})
        if not found or found[0] not in first:
            failures.append(f"{q!r}: first {found[:1]}, expected one of {sorted(first)}")
        if excluded & set(found):
            failures.append(f"{q!r}: {sorted(excluded & set(found))} should not appear")
    mean = sum(r["precision_at_5"] for r in rows) / len(rows)
    top1 = sum(
        1 for (q, first, *_), r in zip(CASES, rows, strict=True) if r["top"][:1] and r["top"][0] in first
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "queries": len(rows),
                "corpus": len(CORPUS),
                "mean_precision_at_5": round(mean, 3),
                "first_result_correct": top1,
                "command": ".venv/bin/python -m hackney_portal.devservices exec -- "
                ".venv/bin/python -m pytest -q tests/employment/test_relevance.py",
                "cases": rows,
            },
            indent=1,
        )
        + "\n"
    )
    assert not failures, "\n".join(failures)
    assert mean >= THRESHOLD
