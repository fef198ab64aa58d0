"""The shape of rules, catalogues and profiles (validated like the project file).

A rule is data: *when* it applies (product class, features, stage, agency), *what*
it looks at (a scope path such as ``quality.potency.assays[*]``) and *what satisfies
it* (``require``: an expression that must be true). Expressions are Jinja
expressions evaluated in a sandbox over plain data (see :mod:`dossier.rules.engine`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    model_validator,
)

from dossier.rules.examples import RuleExamples

RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,6}-\d{3}$")]
ParameterName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Severity = Literal["error", "warning", "info"]
Confidence = Literal["verified", "known", "uncertain"]
Feature = Literal[
    "gmo",
    "cell_based",
    "autologous",
    "allogeneic",
    "viral_vector",
    "integrating_vector",
    "replication_competent",
    "gene_editing",
    "pluripotent",
    "highly_expanded",
    "combined_device",
    "in_vivo_gene_therapy",
    "ex_vivo_gene_modified",
    "systemic",
    "local",
    "netherlands",
    "scientific_advice",
    "cbg_advice",
    "advice_meeting",
    "advice_annexes",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    """Where a rule comes from."""

    document: str = Field(description="Document identifier, e.g. 'EMA/CAT/22473/2025'.")
    section: str | None = Field(default=None, description="Section or table, where known.")
    quote_location: str | None = Field(
        default=None,
        description=(
            "Where the passage the rule rests on was read in the cited text, e.g. "
            "'§7.3, first paragraph'; required when the rule's confidence is verified."
        ),
    )


class AppliesTo(_Strict):
    """When a rule applies. Every list given must match; empty lists match everything."""

    atmp_class: list[Literal["GTMP", "sCTMP", "TEP", "cATMP"]] = Field(default_factory=list)
    stage: list[Literal["exploratory_fih", "exploratory_later", "confirmatory"]] = Field(
        default_factory=list
    )
    agency: list[Literal["CBG", "EMA"]] = Field(default_factory=list)
    features: list[Feature] = Field(
        default_factory=list, description="All of these product features must be present."
    )
    any_features: list[Feature] = Field(
        default_factory=list, description="At least one of these features must be present."
    )
    not_features: list[Feature] = Field(
        default_factory=list, description="None of these features may be present."
    )


ParameterValue = bool | int | float | str | list[str]
"""The value of a rule parameter: a flag, a number, a word or a list of words."""


class RuleParameter(_Strict):
    """A value a rule's expressions read as ``params.NAME``, which a profile can change
    (e.g. a threshold whose exact figure is not in a verified text)."""

    value: ParameterValue = Field(description="The catalogue's value.")
    description: str = Field(min_length=5, description="What the value means, with its unit.")

    def accepts(self, value: Any) -> str | None:
        """Why ``value`` cannot replace this parameter's value (None when it can): a
        profile's value has the kind of the catalogue's (a number for a number, a list
        of words for a list, ...)."""
        ours = self.value
        if isinstance(ours, bool) or isinstance(value, bool):
            ok = isinstance(ours, bool) and isinstance(value, bool)
            kind = "true or false"
        elif isinstance(ours, (int, float)):
            ok = isinstance(value, (int, float))
            kind = "a number"
        elif isinstance(ours, str):
            ok = isinstance(value, str)
            kind = "a text"
        else:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            kind = "a list of words"
        return None if ok else f"give {kind}, as the catalogue's {ours!r}"


class Rule(_Strict):
    """One expectation with its citation and confidence."""

    id: RuleId
    title: str = Field(min_length=5, description="What is expected, in one line.")
    severity: Severity
    confidence: Confidence = Field(
        description=(
            "verified: the passage was read (citation.quote_location says where); known: "
            "expert knowledge of a text whose structure is confirmed, not re-read; "
            "uncertain: rests on wording nobody has read (e.g. any internal section of "
            "EMA/CAT/22473/2025), a configurable assumption."
        )
    )
    citation: Citation
    section: str = Field(
        description="Dossier section for the readiness matrix, e.g. 'Potency', 'Toxicology'."
    )
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    scope: str | None = Field(
        default=None,
        description=(
            "Path of the items checked one by one, e.g. 'quality.potency.assays[*]'; "
            "omit to check the project as a whole."
        ),
    )
    when: str | None = Field(
        default=None, description="Expression: only items for which it is true are checked."
    )
    require: str = Field(description="Expression that is true when the expectation is met.")
    message: str = Field(description="What is wrong; may use {item.id} style fields.")
    hint: str | None = Field(default=None, description="How to satisfy the rule.")
    at: str | None = Field(
        default=None,
        description="Sub-path of the item (or project) to point at in the finding.",
    )
    note: str | None = Field(
        default=None,
        description=(
            "Why the rule has this confidence: what is unverified, how the check reads the "
            "source; required for an uncertain rule of severity error."
        ),
    )
    examples: RuleExamples | None = Field(
        default=None,
        description=(
            "Edits of named example projects that make the rule fire and that leave it "
            "quiet (dossier.rules.examples); required for every catalogue rule, optional "
            "in a profile."
        ),
    )
    parameters: dict[ParameterName, RuleParameter] = Field(
        default_factory=dict,
        description=(
            "Values the expressions and message read as params.NAME (a threshold, a list "
            "of required items) that a profile can change with parameters: {RULE: {NAME: "
            "value}}; for figures no verified text fixes."
        ),
    )

    @property
    def params(self) -> dict[str, ParameterValue]:
        """The parameter values by name, as the expressions read them."""
        return {name: p.value for name, p in self.parameters.items()}

    @model_validator(mode="after")
    def _confidence_is_accounted_for(self) -> Self:
        # "verified" means the passage was read: the rule must say where it is
        if self.confidence == "verified" and not (self.citation.quote_location or "").strip():
            raise ValueError(
                f"rule {self.id} is tagged verified but its citation has no quote_location "
                "(where the passage was read); give it, or tag the rule known or uncertain"
            )
        # an error that rests on unread wording must say so, and that it can be re-graded
        if self.confidence == "uncertain" and self.severity == "error" and not self.note:
            raise ValueError(
                f"rule {self.id} is an uncertain error without a note: say what is "
                "unverified and that a profile can re-grade it"
            )
        return self


class Catalogue(_Strict):
    """A versioned rule catalogue file."""

    catalogue: str = Field(description="Name of the catalogue part.")
    version: str = Field(description="Version of the catalogue.")
    rules: list[Rule]


class RuleOverride(_Strict):
    """A profile's change to an existing rule."""

    severity: Severity | None = None
    enabled: bool = True


class Profile(_Strict):
    """A profile: disables, re-grades or adds rules (e.g. a company standard)."""

    profile: str = Field(description="Name of the profile.")
    version: str = Field(description="Version of the profile.")
    description: str | None = None
    disable: list[RuleId] = Field(default_factory=list, description="Rule ids to switch off.")
    severity: dict[RuleId, Severity] = Field(
        default_factory=dict, description="New severities by rule id."
    )
    disable_confidence: list[Confidence] = Field(
        default_factory=list,
        description="Switch off every rule of these confidence levels (e.g. [uncertain]).",
    )
    parameters: dict[RuleId, dict[ParameterName, ParameterValue]] = Field(
        default_factory=dict,
        description=(
            "New values of rule parameters by rule id and parameter name, e.g. "
            "{NCL-045: {lloq_max: 100}}; each of the kind of the catalogue's value."
        ),
    )
    rules: list[Rule] = Field(default_factory=list, description="Additional rules.")
    _locations: dict[tuple[str, str], Any] = PrivateAttr(default_factory=dict)
    """(added rule id, 'when' | 'require' | 'message') -> its Location in the profile file."""

    def location_of(self, rule_id: str, part: str) -> Any:
        """Where the given part of an added rule is in the profile file (None if unknown)."""
        return self._locations.get((rule_id, part)) or self._locations.get((rule_id, ""))
