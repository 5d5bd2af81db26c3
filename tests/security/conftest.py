from tests.homelessness.conftest import make_case, manager  # noqa: F401 - shared fixtures
from tests.payments.conftest import account  # noqa: F401 - shared fixture
