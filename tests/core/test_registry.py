"""The portal knows its council services from their app configs alone (hackney_portal/core/registry.py)."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from hackney_portal.celery import app as celery_app
from hackney_portal.core import registry, roles
from hackney_portal.core.beat import SingleBeatScheduler
from hackney_portal.core.schedule import BEAT_SCHEDULE as KERNEL_SCHEDULE
from tests.conftest import BASE_DIR


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_registry_lists_the_three_services_each_with_a_start_page():
    services = registry.services()
    assert [service.label for service in services] == ["payments", "employment", "homelessness"]
    for service in services:
        assert service.portal_title
        assert service.portal_description
        assert reverse(service.start_url_name).startswith("/")
    assert registry.service("homelessness") is apps.get_app_config("homelessness")
    with pytest.raises(LookupError):
        registry.service("users")


@pytest.mark.django_db
def test_the_home_page_lists_each_service_as_its_app_config_declares_it(monkeypatch):
    # What a service says of itself in its app config is what the home page shows: nothing else lists them.
    monkeypatch.setattr(registry.service("employment"), "portal_title", "Find a job near you")
    page = _text(Client().get(reverse("core:home")))
    assert "Find a job near you" in page
    assert "Find work and training" not in page
    for service in registry.services():
        assert service.portal_description in page
    html = Client().get(reverse("core:home")).content.decode()
    assert f'href="{reverse("homelessness:start")}"' in html


def test_the_beat_schedule_is_the_kernels_and_every_services():
    schedule = registry.beat_schedule()
    for name in KERNEL_SCHEDULE:
        assert name in schedule
    for service in registry.services():
        entries = service.beat_schedule()
        assert entries, f"{service.label} has no periodic tasks"
        for name, entry in entries.items():
            assert schedule[name] == entry
            assert entry["task"].startswith(f"{service.name}.tasks.")


def test_the_beat_copies_the_registry_schedule_into_its_tables(transactional_db):
    # Transactional: django-celery-beat's scheduler closes the database connection as a beat process does.
    PeriodicTask.objects.all().delete()
    scheduler = SingleBeatScheduler(app=celery_app)
    try:
        names = set(PeriodicTask.objects.values_list("name", flat=True))
        assert set(registry.beat_schedule()) <= names
        assert {"payments-reconciliation", "employment-alerts", "homelessness-retention"} <= names
    finally:
        scheduler.close()


@pytest.mark.django_db
def test_staff_groups_read_their_own_services_shared_records(make_staff):
    finance = make_staff("finance@example.org", roles.FINANCE_OFFICERS)
    housing = make_staff("housing@example.org", roles.HOUSING_MANAGERS)
    both = make_staff("both@example.org", roles.JOBS_MODERATORS, roles.HOUSING_OFFICERS)
    employer = make_staff("employer@example.org", roles.EMPLOYERS)
    assert roles.services_of(finance) == {"payments"}
    assert roles.services_of(housing) == {"homelessness"}
    assert roles.services_of(both) == {"employment", "homelessness"}
    assert roles.services_of(employer) == set()


@pytest.mark.django_db
def test_seed_demo_loads_every_services_demo_data():
    from django.core.management import call_command

    call_command("seed_demo")
    for label, model in [
        ("payments", "RentAccount"),
        ("employment", "Opportunity"),
        ("homelessness", "Case"),
    ]:
        assert apps.get_model(label, model).objects.exists(), f"no demo {model}"


def _header_service(page: str) -> str:
    return re.search(r'<span class="app-header__service">(.*?)</span>', page, re.S).group(1).strip()


def test_each_service_declares_the_task_it_is_named_after():
    names = {service.label: service.task_name for service in registry.services()}
    assert names == {
        "payments": "Pay your rent",
        "employment": "Find a job",
        "homelessness": "Get help with housing",
    }


@pytest.mark.django_db
def test_a_services_pages_carry_the_name_its_app_config_declares(monkeypatch):
    # Nothing but the app config names the service: change it there and its pages follow.
    monkeypatch.setattr(registry.service("employment"), "task_name", "Look for work")
    page = Client().get(reverse("employment:search")).content.decode()
    assert _header_service(page) == "Look for work"
    assert "Look for work – " in re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert _header_service(Client().get(reverse("payments:start")).content.decode()) == "Pay your rent"


@pytest.mark.django_db
def test_a_council_renames_a_service_by_settings_alone(settings):
    settings.PORTAL_SERVICE_NAME_OVERRIDES = {"payments": "Pay your rent and charges"}
    assert _header_service(Client().get(reverse("payments:start")).content.decode()) == (
        "Pay your rent and charges"
    )
    # The others keep their own names, and pages outside any service the portal's.
    assert _header_service(Client().get(reverse("employment:search")).content.decode()) == "Find a job"
    assert registry.service_name("") == settings.COUNCIL["service_name"]
    assert registry.service_name("admin") == settings.COUNCIL["service_name"]


@pytest.mark.slow  # a fresh interpreter
def test_the_override_is_read_from_the_environment():
    # As a council deploys it: one environment variable, app label=name pairs.
    env = {
        **os.environ,
        "PORTAL_SERVICE_NAME_OVERRIDES": "payments=Pay rent and charges,employment=Find work",
        "PYTHONPATH": str(BASE_DIR),
    }
    probe = (
        "import json; from hackney_portal.settings.components import council; "
        "print(json.dumps(council.PORTAL_SERVICE_NAME_OVERRIDES))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout) == {"payments": "Pay rent and charges", "employment": "Find work"}
