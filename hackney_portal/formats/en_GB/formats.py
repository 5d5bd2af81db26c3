"""Dates written out, as GOV.UK style asks: "Monday 7 December 2026", "Monday 7 December 2026 at 2:30pm".

Used wherever a template prints a date without a format ({{ day }} or {{ day|date }}), in pages and the
back office alike. Input formats stay Django's British ones.
"""

DATE_FORMAT = "l j F Y"
DATETIME_FORMAT = "l j F Y \\a\\t g:ia"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, g:ia"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "g:ia"
FIRST_DAY_OF_WEEK = 1
