"""Issue 17 items 1 and 2: synonyms inside the query language, title highlighting and ranking, fallbacks."""

import pytest
from django.urls import reverse

from employment.models import Synonym
from employment.search_query import Term, query_parse, synonym_groups, synonyms_for
from employment.selectors import opportunity_search

from .test_search import listing, titles


@pytest.fixture
def kitchen(db):
    Synonym.objects.create(term="chef", alternatives="cook, kitchen")
    Synonym.objects.create(term="carer", alternatives="care assistant, care worker")
    listing("Commis chef", "Start your career in a restaurant")
    listing("Kitchen porter", "Wash up in a busy kitchen and help the cook")
    listing("Community cook", "Cook lunches in our community kitchen")
    listing("Kitchen community worker", "Run a kitchen garden for the community")
    listing("Food hygiene level 2 course", "A one-day course with a certificate")


def test_parse_keeps_phrases_negation_and_or():
    assert query_parse('kitchen -porter "community kitchen" OR -"night shift"') == [
        [Term("kitchen"), Term("porter", negate=True), Term("community kitchen", phrase=True)],
        [Term("night shift", phrase=True, negate=True)],
    ]
    groups = synonym_groups([("chef", ["cook", "kitchen"]), ("carer", ["care assistant"])])
    assert synonyms_for("kitchen", groups) == ["kitchen", "chef", "cook"]
    assert synonyms_for("chefs", groups) == ["chefs", "chef", "cook", "kitchen"]
    assert synonyms_for("care assistant", groups) == ["care assistant", "carer"]


@pytest.mark.django_db
def test_minus_still_excludes_when_a_synonym_is_in_play(kitchen):
    found = titles({"q": "kitchen -porter"})
    assert "Kitchen porter" not in found
    assert {"Commis chef", "Community cook", "Kitchen community worker"} <= set(found)


@pytest.mark.django_db
def test_a_phrase_matches_its_words_in_order_only(kitchen):
    assert titles({"q": '"community kitchen"'}) == ["Community cook"]
    assert set(titles({"q": '"kitchen community"'})) == {"Kitchen community worker"}


@pytest.mark.django_db
def test_a_synonym_phrase_expands_inside_the_query(kitchen):
    listing("Night carer", "Support residents overnight")
    listing("Care assistant", "Support residents in the day")
    assert set(titles({"q": "carer"})) == {"Night carer", "Care assistant"}
    assert titles({"q": "carer -night"}) == ["Care assistant"]


@pytest.mark.django_db
def test_a_word_that_matched_is_never_corrected(kitchen):
    # Nothing mentions a nurse: no bogus correction to "course".
    result = opportunity_search(params={"q": "nurse"})
    assert result.count == 0
    assert result.suggestion == ""
    assert not result.fuzzy
    listing("Support worker", "Work alongside the district nurse team")
    result = opportunity_search(params={"q": "nurse"})
    assert [o.title for o in result.page.object_list] == ["Support worker"]
    assert result.suggestion == ""
    assert not result.fuzzy
    # Both words match on their own, just not together: neither is "corrected".
    result = opportunity_search(params={"q": "nurse certificate"})
    assert result.count == 0
    assert result.suggestion == ""


@pytest.mark.django_db
def test_the_page_never_says_showing_results_for_course(client, kitchen):
    html = client.get(reverse("employment:search"), {"q": "nurse"}).content.decode()
    assert "Showing results for" not in html
    assert "0 results" in html


@pytest.mark.django_db
def test_a_title_match_outranks_a_synonym_or_body_match(kitchen):
    found = titles({"q": "chef"})
    assert found[0] == "Commis chef"
    assert set(found) >= {"Kitchen porter", "Community cook", "Kitchen community worker"}
    listing("Waiter", "Work with our chef in a cook kitchen kitchen kitchen")
    found = titles({"q": "chef"})
    assert found[0] == "Commis chef"
    assert found[-1] == "Waiter"  # the word only in the text, however often: below every title match


@pytest.mark.django_db
def test_titles_are_highlighted_like_summaries_and_stay_escaped(client, kitchen):
    listing("Chef <b>& co</b>", "Chef for a small team")
    html = client.get(reverse("employment:search"), {"q": "chef"}).content.decode()
    assert "Commis <mark>chef</mark></a>" in html
    assert "<mark>Chef</mark> &lt;b&gt;&amp; co&lt;/b&gt;" in html
    assert "<b>&" not in html


@pytest.mark.django_db
def test_multi_word_and_plural_typos_fall_back_word_by_word(client, kitchen):
    listing("Electrician", "Wiring new homes")
    result = opportunity_search(params={"q": "kitchn portr"})
    assert result.fuzzy
    assert result.suggestion == "kitchen porter"
    assert [o.title for o in result.page.object_list] == ["Kitchen porter"]
    result = opportunity_search(params={"q": "electricains"})
    assert result.fuzzy
    assert [o.title for o in result.page.object_list] == ["Electrician"]
    # Only the word that found nothing is replaced; the minus survives the correction.
    result = opportunity_search(params={"q": "kitchn -porter"})
    assert result.fuzzy
    assert result.suggestion == "kitchen -porter"
    assert "Kitchen porter" not in [o.title for o in result.page.object_list]
    html = client.get(reverse("employment:search"), {"q": "kitchn portr"}).content.decode()
    assert "Showing results for <strong>kitchen porter</strong>" in html


@pytest.mark.django_db
def test_plurals_match_their_singular(kitchen):
    assert "Commis chef" in titles({"q": "chefs"})
    assert "Food hygiene level 2 course" in titles({"q": "courses"})


@pytest.mark.django_db
def test_title_words_are_kept_by_the_database_for_every_way_a_listing_is_written():
    from employment.models import Opportunity, TitleWord

    job = listing("Head Gardener (part-time)", "Look after the park")
    assert {"head", "gardener", "part", "time"} <= set(TitleWord.objects.values_list("word", flat=True))
    Opportunity.objects.filter(pk=job.pk).update(title="Tree surgeon")
    assert {"tree", "surgeon"} <= set(TitleWord.objects.values_list("word", flat=True))
    # A bulk load, as an import writes: one statement for many listings, and their words too.
    copies = []
    for n in range(3):
        copy = Opportunity.objects.get(pk=job.pk)
        copy.pk, copy.title = None, f"Beekeeper {n}"
        copies.append(copy)
    Opportunity.objects.bulk_create(copies)
    assert TitleWord.objects.filter(word="beekeeper").exists()
    # Words too short or too long to be a suggestion are not kept.
    assert not TitleWord.objects.filter(word__in=["pt", "x" * 41]).exists()


@pytest.mark.django_db
def test_only_a_word_in_a_live_title_is_suggested(kitchen):
    # A listing waiting for a moderator, or one taken down, must not leak its words through "did you mean".
    listing("Zookeeper", "Care for the animals", publish=False)
    result = opportunity_search(params={"q": "zookeepr"})
    assert (result.count, result.suggestion, result.fuzzy) == (0, "", False)
    listing("Zookeeper assistant", "Care for the animals")
    result = opportunity_search(params={"q": "zookeepr"})
    assert result.suggestion == "zookeeper"
    assert [o.title for o in result.page.object_list] == ["Zookeeper assistant"]


@pytest.mark.django_db
def test_a_search_of_many_misspelt_words_reads_a_bounded_number_of_small_queries(client, kitchen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    words = " ".join(f"qz{i}x" for i in range(30))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("employment:search"), {"q": words})
    assert response.status_code == 200
    # The form's sectors, the synonyms and the search; then one statement for at most 8 words, each an
    # indexed EXISTS and a look in the title words. None of them reads every listing (a count per word and
    # a split of every title did).
    assert len(ctx.captured_queries) == 3 + 1, "\n".join(q["sql"][:150] for q in ctx.captured_queries)
    words = ctx.captured_queries[3:]
    assert words[0]["sql"].count("employment_titleword") == 8
    scans = [q for q in words if "regexp_split_to_array" in q["sql"] or "FILTER" in q["sql"]]
    assert not scans
