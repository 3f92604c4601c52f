"""Judgement: the rule registry.

Each rule lives in its own module under a family package (``rules/ndc/ndc003_...py``) whose
docstring is the rule's user documentation, with the headings in :data:`DOC_HEADINGS`. A module
registers its check with :func:`register`; :func:`all_rules` imports every module once and
returns the registry. Registration fails fast on a malformed id, a duplicate id or name, or
missing doc headings, so a broken rule cannot ship.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from edi_scrub.errors import ConfigError
from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity
from edi_scrub.rules._facts import Needs

__all__ = ["DOC_HEADINGS", "Needs", "Rule", "all_rules", "get_rule", "register", "select_rules"]

DOC_HEADINGS = ("What it checks", "Why it matters", "Example", "Fix", "References")
_ID = re.compile(r"^[A-Z]{2,4}\d{3}$|^X12\d{3}$")

Check = Callable[[Claim, RuleContext, RuleMeta], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule: its metadata and, for claim rules, its check function.

    Envelope rules (the X12 family) have no claim check: the pipeline raises them itself.
    """

    meta: RuleMeta
    check: Check | None
    #: What a claim must have for the check to be able to fire; the engine skips the rest.
    needs: Needs | None = None

    def run(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        """The rule's findings on ``claim`` (none for envelope rules).

        Always runs the check, whatever ``needs`` says: the engine does the skipping, and this
        ungated call is what tests hold the skipping against.
        """
        if self.check is not None:
            yield from self.check(claim, ctx, self.meta)


_REGISTRY: dict[str, Rule] = {}


def _meta(module: str, rule_id: str, name: str, severity: Severity, fix: Applicability) -> RuleMeta:
    doc = (sys.modules[module].__doc__ or "").strip()
    missing = [h for h in DOC_HEADINGS if f"\n{h}\n" not in f"\n{doc}\n"]
    if not _ID.match(rule_id):
        raise ValueError(f"{module}: rule id {rule_id!r} is not FAMILY + 3 digits")
    if missing:
        raise ValueError(f"{module}: docstring lacks headings {missing}")
    if rule_id in _REGISTRY or any(r.meta.name == name for r in _REGISTRY.values()):
        raise ValueError(f"{module}: duplicate rule id or name {rule_id} / {name}")
    return RuleMeta(rule_id, name, severity, fix, doc.splitlines()[0].strip(), doc)


def register(
    rule_id: str,
    name: str,
    severity: Severity,
    fix: Applicability = Applicability.NONE,
    *,
    needs: Needs | None = None,
) -> Callable[[Check], Check]:
    """Decorator: register a claim check under ``rule_id`` with its module docstring as docs.

    ``needs``: what a claim must have for the check to be able to fire (its drug lines, its COB
    loops); the engine does not call the check on other claims.
    """

    def wrap(check: Check) -> Check:
        meta = _meta(check.__module__, rule_id, name, severity, fix)
        _REGISTRY[rule_id] = Rule(meta, check, needs)
        return check

    return wrap


def register_envelope(
    module: str, rule_id: str, name: str, severity: Severity, fix: Applicability
) -> RuleMeta:
    """Register an envelope rule (no claim check); returns its metadata."""
    meta = _meta(module, rule_id, name, severity, fix)
    _REGISTRY[rule_id] = Rule(meta, None)
    return meta


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, ordered by id (imports every rule module once)."""
    package = sys.modules[__name__]
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{__name__}."):
        importlib.import_module(info.name)
    return tuple(sorted(_REGISTRY.values(), key=lambda r: r.meta.id))


def get_rule(rule_id: str) -> Rule:
    """The rule with this id or name; :class:`ConfigError` when there is none."""
    for r in all_rules():
        if rule_id.upper() == r.meta.id or rule_id.lower() == r.meta.name:
            return r
    raise ConfigError(f"unknown rule {rule_id!r} (see `edi-scrub rules`)")


def _matches(r: Rule, selector: str) -> bool:
    sel = selector.strip()
    return (
        r.meta.id == sel.upper()
        or r.meta.name == sel.lower()
        or (sel.isalpha() and r.meta.id.startswith(sel.upper()))
        or (sel.upper() == "ALL")
    )


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> tuple[Rule, ...]:
    """Rules chosen by id, name or family prefix (``NDC``); unknown selectors are errors."""
    rules = all_rules()
    chosen = list(select) or ["ALL"]
    ignored = list(ignore)
    for sel in (*chosen, *ignored):
        if not any(_matches(r, sel) for r in rules):
            raise ConfigError(f"unknown rule selector {sel!r} (see `edi-scrub rules`)")
    return tuple(
        r
        for r in rules
        if any(_matches(r, s) for s in chosen) and not any(_matches(r, s) for s in ignored)
    )
