"""Private files are encrypted at rest on either backend, and the S3 path works end to end."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hackney_portal.core.storage import private_storage
from tests.conftest import staff_login
from tests.employment.conftest import pdf_bytes
from tests.employment.test_search import listing

SECRET = b"%PDF-1.4 medical letter: the applicant's diagnosis"


def test_local_files_are_ciphertext_on_disk_and_plaintext_when_opened(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = private_storage().save("evidence/letter.pdf", ContentFile(SECRET))
    on_disk = (tmp_path / name).read_bytes()
    assert on_disk.startswith(b"gAAAAA")
    assert b"diagnosis" not in on_disk
    with private_storage().open(name) as f:
        assert f.read() == SECRET
    assert private_storage().size(name) == len(SECRET)


def test_s3_objects_are_ciphertext_and_plaintext_when_opened(s3_bucket):
    client, bucket = s3_bucket
    storage = private_storage()
    name = storage.save("evidence/letter.pdf", ContentFile(SECRET))
    stored = client.get_object(Bucket=bucket, Key=f"private/{name}")["Body"].read()
    assert stored.startswith(b"gAAAAA")
    assert b"diagnosis" not in stored
    with storage.open(name) as f:
        assert f.read() == SECRET
    assert storage.exists(name)
    # Two hosts saving the same name never overwrite each other's file.
    again = storage.save("evidence/letter.pdf", ContentFile(b"%PDF-1.4 another"))
    assert again != name
    with storage.open(name) as f:
        assert f.read() == SECRET
    storage.delete(name)
    assert not storage.exists(name)


def test_there_is_no_url_to_a_private_file(s3_bucket):
    name = private_storage().save("cv.pdf", ContentFile(SECRET))
    with pytest.raises(NotImplementedError):
        private_storage().url(name)


@pytest.mark.django_db
def test_a_cv_uploaded_to_s3_is_downloaded_by_a_moderator(client, s3_bucket, make_staff):
    from employment.models import Application
    from hackney_portal.users import roles

    s3, bucket = s3_bucket
    cv_bytes = pdf_bytes()
    pdf_cv = SimpleUploadedFile("cv.pdf", cv_bytes, content_type="application/pdf")
    opp = listing("Chef")
    response = client.post(
        reverse("employment:apply", args=[opp.pk]),
        {"name": "Sam", "email": "sam@example.org", "statement": "x", "lives_in_borough": "on", "cv": pdf_cv},
    )
    assert response.status_code == 302
    application = Application.objects.get()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"private/{application.cv.name}"]

    staff_login(client, make_staff("mod@example.org", roles.JOBS_MODERATORS))
    cv = client.get(reverse("admin:employment_application_cv", args=[application.pk]))
    assert b"".join(cv.streaming_content) == cv_bytes


def test_every_file_field_keeps_its_files_in_the_encrypted_private_storage():
    """Every file the portal keeps (CVs, case documents, income files, and any added later) goes through the
    encrypting storage, so none can land unencrypted on a disk or in the bucket, or get a public URL."""
    from django.apps import apps
    from django.db import models

    from hackney_portal.core.storage import EncryptingMixin

    fields = {
        f"{model._meta.label}.{field.name}": field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert len(fields) >= 3, sorted(fields)
    unencrypted = [name for name, field in fields.items() if not isinstance(field.storage, EncryptingMixin)]
    assert not unencrypted, unencrypted
