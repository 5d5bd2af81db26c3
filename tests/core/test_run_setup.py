"""`make run` again skips migrate and the demo data when nothing they are made from has changed."""

from pathlib import Path

from hackney_portal.devservices.run import _setup_record, setup_fingerprints, setup_needed


def _tree(base: Path) -> Path:
    (base / "payments" / "migrations").mkdir(parents=True)
    (base / "employment" / "data").mkdir(parents=True)
    (base / "requirements.lock").write_text("django==5.2\n")
    (base / "payments" / "migrations" / "0001_initial.py").write_text("# first\n")
    (base / "payments" / "demo.py").write_text("ACCOUNTS = 5\n")
    (base / "employment" / "data" / "postcodes.csv").write_text("E8 1EA\n")
    return base


def test_a_first_run_does_everything_and_a_second_nothing(tmp_path):
    base = _tree(tmp_path / "src")
    state = tmp_path / "setup.json"
    current = setup_fingerprints(base)
    assert setup_needed(state, current) == {"migrations": True, "demo": True}
    _setup_record(state, current, ["migrations"])
    # Migrated but the demo data never finished loading: only the demo data runs again.
    assert setup_needed(state, setup_fingerprints(base)) == {"migrations": False, "demo": True}
    _setup_record(state, current, ["demo"])
    assert setup_needed(state, setup_fingerprints(base)) == {"migrations": False, "demo": False}


def test_a_new_migration_or_library_runs_migrate_and_the_demo_data_again(tmp_path):
    base = _tree(tmp_path / "src")
    state = tmp_path / "setup.json"
    _setup_record(state, setup_fingerprints(base), ["migrations", "demo"])
    (base / "payments" / "migrations" / "0002_more.py").write_text("# second\n")
    assert setup_needed(state, setup_fingerprints(base)) == {"migrations": True, "demo": True}
    _setup_record(state, setup_fingerprints(base), ["migrations", "demo"])
    (base / "requirements.lock").write_text("django==5.3\n")
    assert setup_needed(state, setup_fingerprints(base)) == {"migrations": True, "demo": True}


def test_changed_demo_data_reloads_it_without_migrating(tmp_path):
    base = _tree(tmp_path / "src")
    state = tmp_path / "setup.json"
    _setup_record(state, setup_fingerprints(base), ["migrations", "demo"])
    (base / "payments" / "demo.py").write_text("ACCOUNTS = 6\n")
    assert setup_needed(state, setup_fingerprints(base)) == {"migrations": False, "demo": True}
    _setup_record(state, setup_fingerprints(base), ["demo"])
    (base / "employment" / "data" / "postcodes.csv").write_text("E8 1EA\nN16 0AA\n")
    assert setup_needed(state, setup_fingerprints(base)) == {"migrations": False, "demo": True}


def test_an_unreadable_record_means_everything_runs(tmp_path):
    base = _tree(tmp_path / "src")
    state = tmp_path / "setup.json"
    state.write_text("{not json")
    assert setup_needed(state, setup_fingerprints(base)) == {"migrations": True, "demo": True}
