"""The home page under gunicorn against the ceiling view on the same server configuration."""

from .harness import Section


def run(ctx) -> list[Section]:
    duration = 3.0 if ctx.quick else 10.0
    concurrency = 8
    rows = []
    with ctx.gunicorn(workers=2) as base:
        ceiling = ctx.http_load(base, ["/__bench__/ceiling/"], concurrency=concurrency, duration_s=duration)
        home = ctx.http_load(base, ["/"], concurrency=concurrency, duration_s=duration)
    for label, stats in (("ceiling view (minimal Django view)", ceiling), ("home page `/`", home)):
        rows.append(
            [
                label,
                stats.count,
                stats.errors,
                stats.rps,
                stats.p50_ms,
                stats.p95_ms,
                stats.p99_ms,
                f"{stats.rps / ceiling.rps:.2f}" if ceiling.rps else "n/a",
            ]
        )
    return [
        Section(
            title="Home page vs the ceiling view",
            intro=(
                f"gunicorn with 2 sync workers, {concurrency} keep-alive clients for {duration:.0f}s each, "
                "the ceiling first, then the page, in the same run."
            ),
            headers=[
                "endpoint",
                "requests",
                "errors",
                "req/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "ratio to ceiling",
            ],
            rows=rows,
        )
    ]
