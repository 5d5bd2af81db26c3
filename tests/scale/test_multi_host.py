"""Many hosts, one database: two web hosts, two worker hosts and two beats as separate processes, each with
its own working folder and no shared disk, on one PostgreSQL, one Redis, one S3 server and one localstripe,
behind a round-robin front. `make scale-test` runs this file alone.
"""

from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
import redis
import requests
from django.conf import settings
from django.test import Client
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from hackney_portal.devservices import register_localstripe_webhook
from hackney_portal.devservices.cluster import Host, RoundRobinFront
from payments import services as payment_services
from payments.models import AccountLink, LedgerEntry, Payment, RentAccount
from tests.conftest import BASE_DIR, S3_KEYS, make_user, staff_login, wait_until
from tests.employment.conftest import pdf_bytes
from tests.employment.test_search import listing
from tests.payments.conftest import CARD_OK, card_token, intent_event, paid_at_stripe, signed

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.timeout(600)]


def _get(url, **kwargs):
    try:
        return requests.get(url, timeout=10, **kwargs)
    except requests.RequestException:
        return requests.Response()


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _session_for(user, *, staff: bool = False) -> requests.Session:
    """A browser session for `user`, signed in through the shared session store, as either host sees it."""
    client = Client()
    if staff:
        staff_login(client, user)
    else:
        client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


@pytest.fixture
def cluster(celery_worker_env, s3_server, tmp_path, transactional_db):
    import boto3

    bucket = f"portal-{uuid.uuid4().hex[:12]}"
    region = S3_KEYS["region_name"]
    boto3.client(
        "s3", endpoint_url=s3_server, aws_access_key_id="testing", aws_secret_access_key="testing",
        region_name=region,
    ).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})  # fmt: skip
    env = {
        **celery_worker_env,
        "PORTAL_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_S3_REGION_NAME": S3_KEYS["region_name"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "CELERY_BEAT_LOCK_TIMEOUT": "3",
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "PYTHONPATH": str(BASE_DIR),
    }
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("beat-probe", settings.CELERY_BEAT_LOCK_KEY, "celery", "unacked", "unacked_index")
    # One cheap job each second stands in for the schedule; the real entries are paused so their work does
    # not mix with what is measured.
    PeriodicTask.objects.update(enabled=False)
    PeriodicTask.objects.create(
        name="probe",
        task="portal.beat_probe",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS),
        queue="beat-probe",
    )
    hosts = [Host(name, tmp_path, env) for name in "ab"]
    front = RoundRobinFront([h.port for h in hosts])
    register_localstripe_webhook(
        settings.STRIPE_API_BASE, f"{front.url}/payments/stripe/webhook/", settings.STRIPE_WEBHOOK_SECRETS[0],
        name="scale",
    )  # fmt: skip
    try:
        for host in hosts:
            host.start()
        yield hosts, front
    finally:
        register_localstripe_webhook(
            settings.STRIPE_API_BASE, f"{front.url}/payments/stripe/webhook/",
            settings.STRIPE_WEBHOOK_SECRETS[0], name="scale", events=["none"],
        )  # fmt: skip
        front.close()
        for host in hosts:
            host.stop()
        broker.delete("beat-probe", settings.CELERY_BEAT_LOCK_KEY, "celery")


def test_many_hosts_share_no_disk_credit_once_schedule_once_and_survive_losing_a_host(cluster, make_staff):
    (a, b), front = cluster
    broker = redis.Redis.from_url(settings.REDIS_URL)
    started, probes_before = time.monotonic(), broker.llen("beat-probe")

    # 1. A CV uploaded through host A downloads through host B: the file is in the bucket, not on A's disk.
    opp = listing("Chef")
    applicant = requests.Session()
    cv = pdf_bytes()
    token = _csrf(applicant, f"{a.url}/jobs/{opp.pk}/apply/")
    sent = applicant.post(
        f"{a.url}/jobs/{opp.pk}/apply/",
        data={"csrfmiddlewaretoken": token, "name": "Sam", "email": "sam@example.org", "statement": "x",
              "lives_in_borough": "on"},
        files={"cv": ("cv.pdf", cv, "application/pdf")},
        headers={"Referer": f"{a.url}/jobs/{opp.pk}/apply/"},
        allow_redirects=False, timeout=30,
    )  # fmt: skip
    assert sent.status_code == 302, sent.text[-2000:]
    assert not any(p.is_file() for p in (a.folder / "media").rglob("*"))
    from employment.models import Application
    from hackney_portal.users import roles

    application = Application.objects.get()
    moderator = make_staff("mod@example.org", roles.JOBS_MODERATORS)
    downloaded = _session_for(moderator, staff=True).get(
        f"{b.url}/admin/employment/application/{application.pk}/cv/", timeout=30
    )
    assert downloaded.status_code == 200, downloaded.text[-1000:]
    assert downloaded.content == cv, (downloaded.url, [r.headers.get("Location") for r in downloaded.history])

    # 2. A payment started on host A and confirmed on host B is credited once, by whichever worker.
    account = RentAccount.objects.create(
        reference="7700000009", postcode="E8 1EA", tenant_name="T", address="A", weekly_rent_pence=10_000
    )
    payment_services.ledger_post(account_id=account.pk, kind="rent", amount_pence=10_000, description="Rent")
    tenant = make_user("tenant@example.org")
    AccountLink.objects.create(user=tenant, account=account)
    browser = _session_for(tenant)
    pay_url = f"{a.url}/pay-rent/accounts/{account.pk}/pay/"
    started_pay = browser.post(
        pay_url,
        data={"csrfmiddlewaretoken": _csrf(browser, pay_url), "choice": "other", "amount": "12.34",
              "attempt_key": str(uuid.uuid4())},
        headers={"Referer": pay_url}, allow_redirects=False, timeout=30,
    )  # fmt: skip
    assert started_pay.status_code == 302, started_pay.text[-2000:]
    card_path = started_pay.headers["Location"]
    card_url = f"{b.url}{card_path}"
    confirmed = browser.post(
        card_url,
        data={"csrfmiddlewaretoken": _csrf(browser, card_url), "card_token": card_token(CARD_OK)},
        headers={"Referer": card_url}, allow_redirects=False, timeout=60,
    )  # fmt: skip
    assert confirmed.status_code == 302, confirmed.text[-2000:]
    payment = Payment.objects.get(account=account)
    wait_until(
        lambda: LedgerEntry.objects.filter(payment=payment, kind="card_payment").exists(),
        timeout=60, message="the card payment to be credited",
    )  # fmt: skip

    # 3. Kill one web host and one worker in the middle of load: every request is answered and every
    # payment confirmed by webhook is credited exactly once.
    paid = [paid_at_stripe(account, 100 + n) for n in range(12)]
    answers: list[int] = []
    stop = threading.Event()

    def load():
        with requests.Session() as s:
            while not stop.is_set():
                try:
                    answers.append(s.get(f"{front.url}/jobs/?q=chef", timeout=30).status_code)
                except requests.RequestException as exc:
                    answers.append(repr(exc))

    clients = [threading.Thread(target=load) for _ in range(4)]
    for t in clients:
        t.start()
    try:
        for n, (_, intent) in enumerate(paid):
            body, signature = signed(intent_event(intent.id))
            # A POST in flight to the host just killed gets a 502 from the front (which, rightly, retries only
            # idempotent requests elsewhere); Stripe then sends the same event again, as here.
            for _attempt in range(3):
                response = requests.post(
                    f"{front.url}/payments/stripe/webhook/", data=body, timeout=30,
                    headers={"Content-Type": "application/json", "Stripe-Signature": signature},
                )  # fmt: skip
                if response.status_code != 502:
                    break
            assert response.status_code == 200
            if n == 5:
                a.kill_web()
                a.kill_worker()
        time.sleep(2)
    finally:
        stop.set()
        for t in clients:
            t.join(60)
    assert answers
    assert set(answers) == {200}, {str(x) for x in answers}
    for p, _ in [(payment, None), *paid]:
        wait_until(
            lambda p=p: LedgerEntry.objects.filter(payment=p, kind="card_payment").count() == 1,
            timeout=120, message=f"{p.reference} to be credited",
        )  # fmt: skip
    time.sleep(3)  # any redelivery has run by now: still once each
    for p, _ in [(payment, None), *paid]:
        assert LedgerEntry.objects.filter(payment=p, kind="card_payment").count() == 1, p.reference
    account.refresh_from_db()
    assert account.balance_pence == 10_000 - 1234 - sum(100 + n for n in range(12))

    # 4. Two beats sent the probe once a second between them, not twice, across the loss of host A.
    elapsed = time.monotonic() - started
    probes = broker.llen("beat-probe") - probes_before
    assert elapsed - 3 <= probes <= elapsed + 2, (probes, elapsed)
