import re

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _checked(colour: str, fallback: str) -> str:
    # Colours come from settings; anything but a plain hex colour could inject CSS, so it is refused.
    return colour if _HEX.match(colour or "") else fallback


def _shade(colour: str, factor: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{max(0, min(255, round(c * factor))):02x}" for c in (r, g, b))


def brand_stylesheet(council: dict) -> str:
    brand = _checked(council.get("brand_colour"), "#1d70b8")
    link = _checked(council.get("link_colour"), "#1a65a6")
    focus = _checked(council.get("focus_colour"), "#ffdd00")
    return (
        ":root{"
        f"--govuk-brand-colour:{brand};"
        f"--govuk-link-colour:{link};"
        f"--govuk-link-hover-colour:{_shade(link, 0.6)};"
        f"--govuk-focus-colour:{focus};"
        f"--govuk-template-background-colour:#f3f2f1;"
        f"--app-brand-accent:{_shade(brand, 0.75)};"
        "}\n"
    )
