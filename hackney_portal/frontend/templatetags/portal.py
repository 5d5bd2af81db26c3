"""Small layout tags for base.html."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    # Declared so that {% block %} tags inside are still found and overridden by child templates.
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist, name: str):
        self.nodelist = nodelist
        self.name = name

    def render(self, context) -> str:
        # The nodelist's output is already escaped; keep it safe so it is not escaped twice.
        context[self.name] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308  # nosec
        return ""


@register.tag
def capture(parser, token):
    """{% capture as name %}...{% endcapture %}: render once, use the text more than once (the page title
    goes in <title> and in the page's default description)."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("usage: {% capture as name %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
