"""Returns stored before 0011 (text columns) are moved to private storage, hashes and all."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("homelessness", "0010_hclic_items_and_code_lists")]
AFTER = [("homelessness", "0011_hclic_files_in_storage")]


@pytest.mark.django_db(transaction=True)
def test_old_returns_move_from_text_columns_to_encrypted_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "hackney_portal.core.storage.EncryptedFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("homelessness", "HclicExport")
    case_xml, personal_xml = (
        '<HCLIC LA="E09000012" />\n',
        '<HCLICPersonal><Person CaseRef="HL-1" /></HCLICPersonal>\n',
    )
    old.objects.create(
        year=2025,
        quarter=4,
        version=1,
        code_list_version="1",
        case_count=1,
        case_xml=case_xml,
        personal_xml=personal_xml,
        sha256=hashlib.sha256((case_xml + "\0" + personal_xml).encode()).hexdigest(),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    from homelessness.models import HclicExport

    export = HclicExport.objects.get()
    assert (export.text("case"), export.text("personal")) == (case_xml, personal_xml)
    assert export.personal_sha256 == hashlib.sha256(personal_xml.encode()).hexdigest()
    on_disk = (tmp_path / export.personal_file.name).read_bytes()
    assert b"HL-1" not in on_disk
    # The table is append-only again once the move is done.
    with pytest.raises(Exception, match="append-only"):
        HclicExport.objects.filter(pk=export.pk).update(case_count=2)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
