"""Staff roles live in the kernel (`hackney_portal.core.roles`), which every service builds on; this name is
kept so existing imports and migrations read the same."""

from hackney_portal.core.roles import *  # noqa: F403
from hackney_portal.core.roles import ALL_GROUPS, grant, services_of  # noqa: F401
