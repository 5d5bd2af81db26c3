"""What another council changes to adopt the portal, and its privacy notice details."""

import environ

env = environ.Env()

# COUNCIL (everything another council changes to adopt the portal)
# ------------------------------------------------------------------------------
COUNCIL = {
    "name": env("COUNCIL_NAME", default="Hackney Council"),
    "short_name": env("COUNCIL_SHORT_NAME", default="Hackney"),
    "logo_text": env("COUNCIL_LOGO_TEXT", default="Hackney"),
    # The portal as a whole; each service is named after its task (PortalService.task_name).
    "service_name": env("COUNCIL_SERVICE_NAME", default="Council services online"),
    "brand_colour": env("COUNCIL_BRAND_COLOUR", default="#00664f"),
    "link_colour": env("COUNCIL_LINK_COLOUR", default="#025ea6"),
    "focus_colour": env("COUNCIL_FOCUS_COLOUR", default="#ffc845"),
    "contact_email": env("COUNCIL_CONTACT_EMAIL", default="digital.services@hackney.gov.uk"),
    "contact_phone": env("COUNCIL_CONTACT_PHONE", default="020 8356 3000"),
    "out_of_hours_phone": env("COUNCIL_OUT_OF_HOURS_PHONE", default="020 8356 2300"),
    "website": env("COUNCIL_WEBSITE", default="https://hackney.gov.uk"),
    # The phase banner: the service's phase, and where feedback goes (a form's address; empty: email).
    "phase": env("COUNCIL_SERVICE_PHASE", default="Beta"),
    "feedback_url": env("COUNCIL_FEEDBACK_URL", default=""),
    "address": env("COUNCIL_ADDRESS", default="Hackney Town Hall, Mare Street, London E8 1EA"),
    # Rent account reference format: a regular expression and words to explain it to residents.
    "rent_reference_regex": env("COUNCIL_RENT_REFERENCE_REGEX", default=r"^\d{10}$"),
    "rent_reference_hint": env("COUNCIL_RENT_REFERENCE_HINT", default="10 digits, for example 1234567890"),
    # Postcode districts treated as "in the borough" for residency checks and job searches.
    "postcode_districts": env.list(
        "COUNCIL_POSTCODE_DISTRICTS", default=["E2", "E5", "E8", "E9", "N1", "N16", "N4"]
    ),
    # Local authority codes (ONSPD `oslaua`) whose postcodes `load_postcodes` keeps from the ONS Postcode
    # Directory: Hackney and its neighbours (City of London, Haringey, Islington, Newham, Tower Hamlets,
    # Waltham Forest).
    "postcode_local_authorities": env.list(
        "COUNCIL_POSTCODE_LOCAL_AUTHORITIES",
        default=["E09000012", "E09000001", "E09000014", "E09000019", "E09000025", "E09000030", "E09000031"],
    ),
}
# Each service names itself after its task in its app config (`PortalService.task_name`: "Pay your rent");
# a council that words one differently sets it here, by app label, with no code change:
# PORTAL_SERVICE_NAME_OVERRIDES=payments=Pay your rent and charges,employment=Find work
PORTAL_SERVICE_NAME_OVERRIDES = env.dict("PORTAL_SERVICE_NAME_OVERRIDES", default={})

# PRIVACY NOTICE (/privacy/): the council's data protection details, which another council sets for itself.
# Housing cases' retention comes from HOMELESSNESS_RETENTION_YEARS; the rest is the council's policy.
PRIVACY = {
    "dpo_name": env("PRIVACY_DPO_NAME", default="Data Protection Officer"),
    # Empty: the council's contact email and address are shown.
    "dpo_email": env("PRIVACY_DPO_EMAIL", default=""),
    "dpo_address": env("PRIVACY_DPO_ADDRESS", default=""),
    # The council's registration number with the Information Commissioner (shown if set).
    "ico_registration": env("PRIVACY_ICO_REGISTRATION", default=""),
    "payments_retention": env(
        "PRIVACY_PAYMENTS_RETENTION", default="6 years after the end of the financial year they belong to"
    ),
    "employment_retention": env(
        "PRIVACY_EMPLOYMENT_RETENTION",
        default="until you delete your account; applications for 12 months after the closing date",
    ),
    "account_retention": env(
        "PRIVACY_ACCOUNT_RETENTION", default="until you delete your account, or after 2 years without use"
    ),
}
