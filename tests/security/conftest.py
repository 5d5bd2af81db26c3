from tests.homelessness.conftest import make_case, manager  # noqa: F401 - shared fixtures
