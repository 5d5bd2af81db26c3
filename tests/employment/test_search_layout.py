"""Job search: the search box and the results come before the filters in the page itself (DOM and so tab
and reading order), not only on screen (issue 20 item 8)."""

import pytest
from django.test import Client

from tests.employment.test_search import listing


@pytest.mark.django_db
def test_search_box_and_results_come_before_the_filters_in_the_page():
    listing("Kitchen porter")
    html = Client().get("/jobs/?q=porter").content.decode()
    search_box = html.index('id="id_q"')
    first_result = html.index('class="app-search-result"')
    filters = html.index('class="app-filters"')
    first_filter = html.index('name="kind"')
    assert search_box < first_result < filters < first_filter


@pytest.mark.django_db
def test_the_first_thing_to_press_enter_on_is_search_not_apply_filters():
    # Enter in a text box submits with the form's first button: it should say what the person is doing.
    html = Client().get("/jobs/").content.decode()
    assert html.index(">Search</button>") < html.index(">Apply filters</button>")
