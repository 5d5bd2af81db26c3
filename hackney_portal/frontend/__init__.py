"""The portal's GOV.UK component layer: how every page (the services', allauth's and the back office's) draws
forms, errors, money, dates and phone numbers.

- `forms`: GOV.UK form fields (date input, "select all that apply" checkboxes).
- `templatetags/govuk.py`: `{% govuk_field %}`, `{% govuk_error_summary %}` and the `pence`, `tel` and date
  filters; `templatetags/portal.py`: layout tags for base.html.
- `formatting`: money and dates in words, for Python code (emails, PDFs, selectors) as well as templates.
- `templates/`: component templates (the error summary, allauth's form elements in GOV.UK markup).

It imports nothing of the portal's own (checked by `make lint`), so the kernel and every service can use it.
The stylesheets and scripts it relies on are built from the top-level `frontend/` folder into `static/`.
"""
