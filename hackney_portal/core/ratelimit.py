"""Who is asking (`client_ip`) and how often (`rate_limit_wait`), the same way for every limit we keep.

Limits are keyed on the client and on what is being asked about (an account, an email address), never on
the network address alone: a borough behind one address translation must not be locked out by one person,
and one person must not be able to lock a resident out for long. Each action has several short windows
(e.g. 5 a minute, 10 in 15 minutes), so repeated tries are slowed down step by step rather than refused
for hours: back off, not lock out (NCSC password guidance).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _clean_ip(value: str) -> str | None:
    value = value.strip()
    # Some load balancers add the client's port: "203.0.113.9:51234", "[2001:db8::1]:51234".
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        return str(addr.ipv4_mapped)  # ::ffff:203.0.113.9, as a dual-stack socket reports IPv4 clients
    if isinstance(addr, ipaddress.IPv6Address):
        # One household gets a /64; counting each address in it separately would let one client be many.
        return str(ipaddress.IPv6Network(f"{addr}/64", strict=False).network_address)
    return str(addr)


def client_ip(request) -> str:
    """The client's address: `REMOTE_ADDR`, or, behind `TRUSTED_PROXY_COUNT` proxies of our own, the address
    the outermost of them saw (that many entries from the right of `X-Forwarded-For`).

    Entries further left are whatever the client chose to send, so they are never read. A header shorter
    than the proxy count did not come through our proxies: the connection's own address is used.
    """
    remote = _clean_ip(request.META.get("REMOTE_ADDR", "")) or "unknown"
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    return _clean_ip(forwarded[-hops]) or remote


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    per: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.amount}/{self.seconds}s/{'+'.join(self.per)}"


def parse_rates(spec: str) -> list[Rate]:
    """'5/m/client,10/15m/client+account': 5 a minute per client, 10 in 15 minutes per client and account."""
    rates = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        amount, duration, per = part.split("/")
        count = duration[:-1] or "1"
        rates.append(Rate(int(amount), int(float(count) * UNITS[duration[-1]]), tuple(per.split("+"))))
    return rates


def rate_limit_wait(*, action: str, values: dict[str, str], record: bool = True) -> int:
    """Seconds to wait before `action` may be done again for these values; 0 if it may be done now.

    `values` names what each window is keyed on (`client` from `client_ip`, `account`, `email`...); a window
    whose key is missing or empty is skipped. With `record`, this try counts towards every window (for
    actions limited on each try); without, the caller counts only failures with `rate_limit_record`.
    Fixed windows in the cache (Redis), so every web worker shares them and counting is atomic.
    """
    wait = 0
    now = time.time()
    for rate in _rates(action):
        key = _key(action, rate, values, now)
        if key is None:
            continue
        if record:
            cache.add(key, 0, rate.seconds)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, rate.seconds)
                count = 1
        else:
            count = cache.get(key, 0) + 1
        if count > rate.amount:
            wait = max(wait, math.ceil(rate.seconds - now % rate.seconds))
    return wait


def rate_limit_record(*, action: str, values: dict[str, str]) -> None:
    """Count one failure of `action` (for actions limited on failures only, checked with record=False)."""
    now = time.time()
    for rate in _rates(action):
        key = _key(action, rate, values, now)
        if key is None:
            continue
        cache.add(key, 0, rate.seconds)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, rate.seconds)


def _rates(action: str) -> list[Rate]:
    if not settings.PORTAL_RATE_LIMITS_ENABLED:
        return []
    return parse_rates(settings.PORTAL_RATE_LIMITS.get(action, ""))


def _key(action: str, rate: Rate, values: dict[str, str], now: float) -> str | None:
    parts = [str(values.get(name) or "").strip().lower() for name in rate.per]
    if not all(parts):
        return None
    # Hashed: keys name email addresses and accounts, which need not sit in Redis in the clear.
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"rl:{action}:{rate}:{digest}:{int(now // rate.seconds)}"


def wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"You have tried too many times. Wait {minutes} {unit} and try again."
