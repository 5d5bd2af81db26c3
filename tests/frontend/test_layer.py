"""The GOV.UK component layer is one package, every page draws with it, and code written against its old
home in the kernel still imports."""

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.core import checks
from django.template import Context, Template
from django.template.backends.django import get_installed_libraries

from hackney_portal.frontend import formatting


def test_each_template_library_is_found_once_and_in_the_frontend_package():
    libraries = get_installed_libraries()
    assert libraries["govuk"] == "hackney_portal.frontend.templatetags.govuk"
    assert libraries["portal"] == "hackney_portal.frontend.templatetags.portal"
    # Two modules offering one library name make Django pick one silently (and warn at `check`).
    assert not [m for m in checks.run_checks(tags=[checks.Tags.templates]) if m.id == "templates.W003"]


def test_the_old_homes_of_the_component_layer_are_gone():
    # Every branch in flight has merged; a second path to the same component would let them drift apart.
    for old in ("hackney_portal.core.forms", "hackney_portal.core.templatetags"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(old)


def test_money_in_pounds_with_thousands():
    assert formatting.pence(123456) == "£1,234.56"
    assert formatting.pence(-5) == "-£0.05"
    assert formatting.pence_abs(-4000) == "£40.00"
    assert formatting.pence(None) == ""


def test_dates_written_out_in_prose_and_short_in_tables():
    day = dt.date(2026, 12, 7)
    assert formatting.long_date(day) == "Monday 7 December 2026"
    assert formatting.table_date(day) == "7 Dec 2026"


def test_a_moment_is_shown_by_its_london_day_in_templates():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time): the resident's day is 1 July.
    moment = dt.datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    text = Template(
        "{% load govuk %}{{ at|long_date }}|{{ at|long_datetime }}|"
        "{{ at|table_date }}|{{ at|table_datetime }}"
    ).render(Context({"at": moment}))
    assert text == "Wednesday 1 July 2026|Wednesday 1 July 2026 at 12:30am|1 Jul 2026|1 Jul 2026, 12:30am"


@pytest.mark.parametrize(
    ("hour", "minute", "shown"),
    [
        (0, 0, "midnight"),
        (0, 5, "12:05am"),
        (9, 0, "9am"),
        (10, 30, "10:30am"),
        (12, 0, "midday"),
        (12, 1, "12:01pm"),
        (14, 30, "2:30pm"),
        (23, 59, "11:59pm"),
    ],
)
def test_times_are_written_as_gov_uk_writes_them(hour, minute, shown):
    # Django's own "P"/"a" give "2:30p.m." and "noon"; the GOV.UK style guide writes "2:30pm" and "midday".
    moment = dt.datetime(2026, 12, 7, hour, minute, tzinfo=ZoneInfo("Europe/London"))
    assert formatting.clock(moment) == shown
    assert formatting.long_datetime(moment) == f"Monday 7 December 2026 at {shown}"
    assert formatting.table_datetime(moment) == f"7 Dec 2026, {shown}"
    rendered = Template("{% load govuk %}{{ at|clock }}|{{ at|long_datetime }}").render(
        Context({"at": moment})
    )
    assert rendered == f"{shown}|Monday 7 December 2026 at {shown}"
    assert "." not in formatting.clock(moment)


def test_date_filters_leave_no_value_empty():
    assert Template("{% load govuk %}[{{ x|long_date }}]").render(Context({"x": None})) == "[]"
