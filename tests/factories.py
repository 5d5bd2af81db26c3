"""factory_boy factories for the records most tests start from: users and staff, rent accounts, housing cases
and job listings.

Each builds through the portal's own services, as the portal itself makes these records (a user with a
verified address and two-factor secret, ledger entries posted to an account, a case submitted through the
intake, a listing created, submitted and published), so a test starts from a state the portal could be in.
Fixtures in `tests/**/conftest.py` build through these; call them directly for anything a fixture does not
give.
"""

from __future__ import annotations

import datetime as dt
import functools

import factory
from factory.django import DjangoModelFactory

from hackney_portal.users.models import User

TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTTEST"


class UserFactory(DjangoModelFactory):
    """A resident who has signed up and confirmed their email address."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = "Test Person"
    password = "correct-horse-battery"
    is_staff = False
    groups: tuple[str, ...] = ()
    totp_secret: str | None = None

    @classmethod
    def _create(cls, model_class, *, email, name, password, is_staff, groups, totp_secret, **kwargs):
        from hackney_portal.users.services import user_ensure

        user = user_ensure(
            email=email,
            password=password,
            name=name,
            is_staff=is_staff,
            groups=list(groups),
            totp_secret=totp_secret,
        )
        if kwargs:
            for field_name, value in kwargs.items():
                setattr(user, field_name, value)
            user.save(update_fields=list(kwargs))
        return user


class StaffFactory(UserFactory):
    """A council officer with two-factor authentication set up; `groups` are staff group names (roles)."""

    email = factory.Sequence(lambda n: f"officer{n}@example.org")
    name = factory.LazyAttribute(lambda o: o.email.split("@")[0])
    is_staff = True
    totp_secret = TOTP_SECRET


class RentAccountFactory(DjangoModelFactory):
    """A tenancy's rent account. `charges` are (kind, pence, description) posted to its ledger in order."""

    class Meta:
        model = "payments.RentAccount"
        django_get_or_create = ("reference",)
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"{5_000_000_000 + n:010d}")
    postcode = "E8 1EA"
    tenant_name = "Jane Smith"
    address = "4 Mare Street"
    weekly_rent_pence = 15_000

    @factory.post_generation
    def charges(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from payments import services

        for kind, amount_pence, description in extracted:
            services.ledger_post(
                account_id=self.pk, kind=kind, amount_pence=amount_pence, description=description
            )
        self.refresh_from_db()


class CaseFactory(factory.Factory):
    """A housing case as the online intake makes it: `answers` go to `homelessness.demo.demo_answers` (its
    name and email default to Jo Bloggs), then each step is saved and the application submitted."""

    class Meta:
        model = dict  # built by _create from the intake, not by the model's constructor

    actor = None
    answers = factory.Dict({"name": "Jo Bloggs", "email": "jo@example.org"})

    @classmethod
    def _create(cls, model_class, *, actor, answers):
        from homelessness.demo import demo_answers
        from homelessness.models import IntakeDraft
        from homelessness.services import intake_draft_save, intake_submit

        draft = IntakeDraft.objects.create(answers={})
        for step, value in demo_answers(**answers).items():
            draft = intake_draft_save(draft=draft, step=step, answers=value, actor=actor)
        return intake_submit(draft=draft, actor=actor)

    _build = _create


@functools.cache
def _shipped_postcodes() -> dict[str, tuple[float, float]]:
    import csv
    import gzip
    from pathlib import Path

    import employment

    table = Path(employment.__file__).parent / "data" / "postcodes_hackney_area.csv.gz"
    with gzip.open(table, "rt", newline="") as f:
        return {r["pcds"]: (float(r["lat"]), float(r["long"])) for r in csv.DictReader(f)}


def postcode_ensure(postcode: str) -> None:
    """Put one postcode from the shipped table in the database (at its real position), for a test that
    creates listings without loading the whole table: the services refuse a postcode they cannot find.
    A postcode the table does not have is left out, so it is still refused."""
    from employment.models import Postcode
    from employment.services import normalise_postcode

    normal = normalise_postcode(postcode)
    where = _shipped_postcodes().get(normal)
    if where:
        Postcode.objects.get_or_create(
            postcode=normal, defaults={"latitude": where[0], "longitude": where[1]}
        )


class OpportunityFactory(factory.Factory):
    """A job listing created by an employer and, unless `publish=False`, submitted and published. Other
    keyword arguments are the listing's fields."""

    class Meta:
        model = dict

    title = factory.Sequence(lambda n: f"Kitchen porter {n}")
    summary = ""
    publish = True
    closing_in = 10
    fields = factory.Dict({})

    @classmethod
    def _create(cls, model_class, *, title, summary, publish, closing_in, fields):
        from employment import services
        from hackney_portal.core.calendar import business_date

        values = {
            "kind": "job",
            "employer_name": "Acme Ltd",
            "sector": "Hospitality",
            "contract": "permanent",
            "hours": "full_time",
            "pay_min_pence": 1400,
            "pay_max_pence": 1400,
            "pay_period": "hour",
            "closing_date": business_date() + dt.timedelta(days=closing_in),
            "postcode": "E8 1EA",
            "address": "Mare Street",
            **fields,
        }
        postcode_ensure(values["postcode"])
        opp = services.opportunity_create(
            actor=None, description=summary or title, title=title, summary=summary or title, **values
        )
        if publish:
            services.opportunity_submit(opp_id=opp.pk, actor=None)
            services.opportunity_publish(opp_id=opp.pk, actor=None)
        opp.refresh_from_db()
        return opp

    _build = _create
