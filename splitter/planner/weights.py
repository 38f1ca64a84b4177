"""The planner's settings: how strongly each kind of evidence ties two units, and the rest."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from splitter.errors import InputError

DEFAULT_SEED = 42
"""The seed of the community detection when none is given."""

DEFAULT_RESOLUTIONS = (0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0)
"""Louvain resolutions scanned when the number of services is left to the planner."""


@dataclass(frozen=True)
class Weights:
    """How strongly each kind of evidence ties units together (`docs/planner.md`).

    Calls tie caller and callee by `call` times a damped call strength (1 + ln of the call
    sites, plus `runtime` times ln(1 + calls counted by a profile)). A table ties each unit
    that writes it (`table_write`) or reads it (`table_read`) to the table; a unit that opens
    a transaction is tied to every table written inside it (`transaction`). Module-level
    variables do the same with `state_write` and `state_read`. Every unit is tied to its
    module by `module`, a weak prior only, and to the tables its name talks about by `names`
    (shared out over those tables: `cancel_order` to `orders` and `order_lines`). A class's
    methods always stay together unless a constraint or the plan file says otherwise.
    """

    call: float = 1.0
    runtime: float = 1.0
    table_write: float = 2.0
    table_read: float = 0.5
    transaction: float = 1.0
    state_write: float = 1.0
    state_read: float = 0.3
    module: float = 0.2
    names: float = 0.5

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or value < 0 or not math.isfinite(value):
                raise InputError(
                    f"weight {item.name} must be a number >= 0, not {value!r}",
                    hint="fix it in [settings.weights] of the plan file or [tool.splitter]",
                )

    def changed(self) -> dict[str, float]:
        """The weights that differ from the defaults, by name."""
        default = Weights()
        return {
            item.name: float(getattr(self, item.name))
            for item in fields(self)
            if getattr(self, item.name) != getattr(default, item.name)
        }

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Weights:
        """Weights from a table of the plan file or pyproject.toml; unknown names are errors."""
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InputError(
                f"unknown weight {', '.join(unknown)}",
                hint=f"the weights are {', '.join(sorted(known))} (see docs/planner.md)",
            )
        return cls(**{name: float(value) for name, value in values.items()})


@dataclass(frozen=True)
class SharedRules:
    """When code is infrastructure that every service carries rather than a service's own.

    A module is infrastructure when at least `module_users` other modules (and at least the
    square root of the number of modules) call it or use its variables, and nothing they
    call in it reaches a table write. A function elsewhere is a shared helper when functions
    of at least `helper_services` services call it and it reaches no table at all.
    """

    enabled: bool = True
    module_users: int = 3
    helper_services: int = 3

    def module_threshold(self, module_count: int) -> int:
        return max(self.module_users, round(math.sqrt(module_count)))


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a proposal besides the code and the constraints.

    `services` asks for about that many services (None: the planner chooses); `seed` seeds
    the community detection, which runs `trials` times per resolution (seeds `seed`,
    `seed + 1`, ...) and keeps the clustering of highest modularity.
    """

    services: int | None = None
    seed: int = DEFAULT_SEED
    weights: Weights = field(default_factory=Weights)
    shared: SharedRules = field(default_factory=SharedRules)
    resolutions: tuple[float, ...] = DEFAULT_RESOLUTIONS
    trials: int = 3

    def __post_init__(self) -> None:
        if self.services is not None and self.services < 1:
            raise InputError(
                f"cannot propose {self.services} services",
                hint="pass --services 1 or more, or leave it out to let the planner choose",
            )


def merged_settings(
    stored: Settings | None,
    *,
    services: int | None = None,
    seed: int | None = None,
    weights: Weights | None = None,
) -> Settings:
    """Settings for a run: what is given now wins over what the plan file stored, which wins
    over the defaults."""
    base = stored or Settings()
    return Settings(
        services=services if services is not None else base.services,
        seed=seed if seed is not None else base.seed,
        weights=weights or base.weights,
        shared=base.shared,
        resolutions=base.resolutions,
        trials=base.trials,
    )
