"""Demo accounts created by `manage.py seed_demo` and printed by `make run`. Never loaded in production."""

DEMO_PASSWORD = "portal-demo-2026"

# Fixed base32 TOTP secrets so a developer can add them to an authenticator app once and keep them.
DEMO_LOGINS = [
    {"role": "resident", "email": "resident@example.com", "name": "Jane Smith", "staff": False, "groups": []},
    {
        "role": "housing officer",
        "email": "housing.officer@example.com",
        "name": "Hari Patel",
        "staff": True,
        "groups": ["Housing officers"],
        "totp_secret": "JBSWY3DPEHPK3PXPHOUSING2",
    },
    {
        "role": "housing manager",
        "email": "housing.manager@example.com",
        "name": "Mona Adeyemi",
        "staff": True,
        "groups": [
            "Housing officers",
            "Housing managers",
            "Statutory returns officers",
            "Restricted cases team",
        ],
        "totp_secret": "JBSWY3DPEHPK3PXPMANAGER2",
    },
    {
        "role": "finance officer",
        "email": "finance.officer@example.com",
        "name": "Frank Osei",
        "staff": True,
        "groups": ["Finance officers"],
        "totp_secret": "JBSWY3DPEHPK3PXPFINANCE2",
    },
    {
        "role": "jobs moderator",
        "email": "jobs.moderator@example.com",
        "name": "Joy Okafor",
        "staff": True,
        "groups": ["Jobs moderators"],
        "totp_secret": "JBSWY3DPEHPK3PXPJOBSMOD2",
    },
    {
        "role": "employer",
        "email": "employer@example.com",
        "name": "Eve's Kitchen Ltd",
        "staff": False,
        "groups": ["Employers"],
    },
    {
        "role": "admin",
        "email": "admin@example.com",
        "name": "Ada Admin",
        "staff": True,
        "superuser": True,
        "groups": [],
        "totp_secret": "JBSWY3DPEHPK3PXPADMINXX2",
    },
]

# The demo rent accounts' link codes belong to Pay My Rent's demo data (plain data, importable before Django
# is set up); the banner shows them from here.
from payments.demo_codes import DEMO_RENT_LINK_CODES  # noqa: E402, F401
