from tests.employment.conftest import pdf_cv  # noqa: F401 - shared fixture
from tests.homelessness.conftest import (  # noqa: F401 - shared fixtures
    make_case,
    manager,
    on_commit,
)
from tests.payments.conftest import account  # noqa: F401 - shared fixture
