"""Listing text from employers: Markdown or HTML in, sanitised HTML out (no script ever reaches a page)."""

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def sanitise_listing_text(text: str) -> str:
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(html: str) -> str:
    return nh3.clean(html or "", tags=set()).strip()


def start_text(date, time=None) -> str:
    """When an event or course starts, in GOV.UK style: "Tuesday 3 March 2026 at 6:30pm" (or "at 6pm",
    "at midday"); the date alone when there is no time."""
    if not date:
        return ""
    text = f"{date:%A} {date.day} {date:%B %Y}"
    if time is None:
        return text
    if (time.hour, time.minute) == (12, 0):
        clock = "midday"
    else:
        minutes = f":{time.minute:02d}" if time.minute else ""
        clock = f"{time.hour % 12 or 12}{minutes}{'am' if time.hour < 12 else 'pm'}"
    return f"{text} at {clock}"


def time_parse(value: str):
    """A time as people type it: 18:30, 6:30pm, 6.30 pm, 6pm, 9am. None if it is not one."""
    import datetime as dt
    import re

    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?", (value or "").strip().lower())
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").replace(".", "")
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif hour > 23 or match[2] is None:
        return None  # "6" alone could be morning or evening
    return dt.time(hour, minute)
