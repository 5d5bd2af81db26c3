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
