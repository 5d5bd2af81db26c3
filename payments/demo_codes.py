"""Rent account link codes "posted" to the demo properties (rent account number -> code), so a demo login can
link an account without reading the emailed code; shown in the README and the `make run` banner. Each works
once; seed_demo issues them again. Plain data, no Django: the `make run` supervisor reads it before Django
is set up."""

DEMO_RENT_LINK_CODES = {"2345678901": "246810", "3456789012": "135790"}
