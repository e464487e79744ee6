"""A rule profile: its rules, the qualifying paths they form, and its readings' alternatives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import Inputs, Rule

__all__ = ["Alternative", "Path", "Profile"]


@dataclass(frozen=True)
class Path:
    """One way to qualify: every rule in ``rules`` must be met (three-valued AND).

    ``where`` says where the qualifying measurement was taken (``sleep``, ``rest``, ``exercise``,
    ``cluster_headache``); empty means "read it from the finding rule's ``values['where']``".
    ``exempt`` names the profile's exclusions that do not concern this path (MG-OXY II.B.2–4 are
    about oxygen *for* those conditions, not for cluster headache); every other exclusion applies.
    """

    name: str
    coverage: str
    rules: tuple[str, ...]
    finding: str
    where: str = ""
    exempt: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alternative:
    """A reading of ambiguous text that is reported beside the determination, never used for it."""

    option: str
    reading: str
    label: str
    clauses: tuple[str, ...]
    relevant: Callable[[Inputs], bool]
    figures: Callable[[Inputs], dict[str, Any]]


@dataclass(frozen=True)
class Profile:
    """Everything ``evaluate`` needs to know about one payer's rules."""

    name: str
    rules: tuple[Rule, ...]
    paths: tuple[Path, ...]
    exclusions: tuple[str, ...]
    post_rules: tuple[Rule, ...]
    documentation: tuple[Rule, ...]
    authorization_rule: str
    portable_rule: str
    hcpcs_rules: tuple[str, ...]
    non_blocking: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    notes: tuple[str, ...] = ()
    revisions: tuple[str, ...] = ()  # the policy revisions encoded, stamped on determinations
    modifiers_rule: str | None = None  # post rule whose values["modifiers"] are claim modifiers
