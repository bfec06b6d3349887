"""How hard the suite tests: `--profile ci` (default), `thorough`, `fault`.

Every profile runs every check on every selected operation; they differ only in how many
inputs are generated. `coverage` is schemathesis's coverage phase (boundary and
schema-negating values derived from each schema, deterministic); `max_examples` bounds the
random fuzzing phase per operation (positive and negative modes); the stateful machine runs
`stateful_examples` scenarios of at most `stateful_steps` calls per version.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROFILES", "Profile"]


@dataclass(frozen=True)
class Profile:
    name: str
    max_examples: int
    coverage: bool
    examples: bool
    stateful_examples: int
    stateful_steps: int
    # hypothesis examples of each property-based named check (codes.py), e.g. action
    # step sequences per version x action family
    behaviour_examples: int
    # hypothesis examples of the other named checks (page sizes, owners, entities drawn);
    # hypothesis's first example is always its simplest draw, later ones follow the seed
    sampling_examples: int
    description: str


PROFILES: dict[str, Profile] = {
    "ci": Profile(
        name="ci",
        max_examples=10,
        coverage=True,
        examples=True,
        stateful_examples=12,
        stateful_steps=8,
        behaviour_examples=3,
        sampling_examples=2,
        description="bounded: a few minutes on 2 cores",
    ),
    "thorough": Profile(
        name="thorough",
        max_examples=100,
        coverage=True,
        examples=True,
        stateful_examples=100,
        stateful_steps=20,
        behaviour_examples=20,
        sampling_examples=10,
        description="ten times the fuzzing and stateful scenarios of ci",
    ),
    "fault": Profile(
        name="fault",
        max_examples=3,
        coverage=True,
        examples=True,
        stateful_examples=4,
        stateful_steps=6,
        behaviour_examples=2,
        sampling_examples=1,
        description="the fast run of tests/test_contract_faults.py",
    ),
}
