"""The scenario schema (pydantic v2): everything a user can vary, declared once.

Every model parameter is a :class:`Param` with a value (the default), a unit, a range and a kind
(``uncertainty``, ``lever`` or ``fixed``). Experiment designs, calibration priors and dashboard controls
are generated from these declarations (:func:`narcoflow.scenario.parameters.parameter_table`).
Structural data (nodes, edges) carry plain numbers whose units and bounds the schema declares.

Nothing here is fentanyl-specific: commodities, the conversion recipe, node kinds and their roles,
organizations, agencies and events are all declared by the scenario file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class Strict(BaseModel):
    """Base model: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False)


class Param(Strict):
    """A numeric model parameter: default value, unit, range, and whether it is a lever or uncertainty."""

    value: float = Field(description="Default value (the scenario's point value).")
    unit: str = Field(description="Unit, e.g. 'kg/month', '1/month', 'USD/kg', '1' (dimensionless).")
    range: tuple[float, float] = Field(description="Plausible [low, high] for experiments and priors.")
    kind: Literal["uncertainty", "lever", "fixed"] = "uncertainty"
    source: str = Field("assumption", description="Where the value comes from, or 'assumption'.")
    description: str = ""

    @model_validator(mode="after")
    def _in_range(self) -> Param:
        lo, hi = self.range
        if lo > hi:
            raise ValueError(f"range [{lo}, {hi}] is reversed")
        if not lo <= self.value <= hi:
            raise ValueError(f"value {self.value} is outside its range [{lo}, {hi}]")
        return self


def parse_month(text: str) -> tuple[int, int]:
    """Parse 'YYYY-MM' into (year, month)."""
    m = _MONTH.match(str(text))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"'{text}' is not a month in the form YYYY-MM")
    return int(m.group(1)), int(m.group(2))


#: Years a calendar may span (dates are pandas timestamps, which end in 2262).
FIRST_YEAR, LAST_YEAR = 1900, 2200

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


class Calendar(Strict):
    """Simulation horizon: monthly steps from ``start`` for ``months`` months."""

    start: Month = "2013-01"
    months: int = Field(216, ge=1, le=1200)

    @model_validator(mode="after")
    def _in_era(self) -> Calendar:
        y, m = parse_month(self.start)
        last = y + (m - 1 + self.months - 1) // 12
        if y < FIRST_YEAR or last > LAST_YEAR:
            raise ValueError(f"the calendar must lie within {FIRST_YEAR}-{LAST_YEAR} (it ends in {last})")
        return self


class Commodity(Strict):
    """A traded commodity. Exactly one commodity is the final ``product`` sold in markets."""

    description: str = ""
    final: bool = False
    value: Param = Field(description="Value per kg at the origin, USD/kg (scales the cost of loss).")
    price: Param = Field(description="Purchase price from supplier firms, USD/kg.")
    control: Param = Field(
        description="Legal control level at the origin in [0, 1]: scales sanction risk of selling it "
        "and the ability of controls-enforcing agencies to seize it. Events change it."
    )


class Recipe(Strict):
    """Conversion at processing nodes: ``factor`` kg of output per kg of input."""

    input: str
    output: str
    factor: Param
    cost: Param = Field(description="Processing cost per kg of output, USD/kg.")


class NodeKind(Strict):
    """A node kind and the role it plays in the network."""

    role: Literal["source", "transit", "processing", "market"]
    description: str = ""


class Node(Strict):
    """A network node with its kind and (approximate, public) coordinates."""

    kind: str
    name: str = ""
    country: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    detection: float = Field(
        0.0, ge=0.0, le=1.0, description="Base seizure probability per shipment at this node (1)."
    )


class Edge(Strict):
    """Directed edge(s). ``from``/``to`` may be lists: the edge is declared for every pair."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    source: str | list[str] = Field(alias="from")
    target: str | list[str] = Field(alias="to")
    mode: str
    cost: float = Field(ge=0, description="Transport cost, USD per kg moved.")
    transit: float = Field(0.0, ge=0, le=24, description="Transit time, months.")
    capacity: float | None = Field(
        None, gt=0, description="Capacity, kg per month (all organizations); none means unlimited."
    )
    detection: float = Field(0.0, ge=0, le=1, description="Base seizure probability per shipment.")
    commodities: list[str] | None = Field(None, description="Commodities allowed; default all.")

    def pairs(self) -> list[tuple[str, str]]:
        """All (from, to) pairs this declaration stands for."""
        s = [self.source] if isinstance(self.source, str) else self.source
        t = [self.target] if isinstance(self.target, str) else self.target
        return [(a, b) for a in s for b in t if a != b]


class Network(Strict):
    """Nodes keyed by id, and edges."""

    nodes: dict[str, Node]
    edges: list[Edge]


class Mode(Strict):
    """A transport mode; shipments on its edges have the mode's size."""

    description: str = ""
    shipment_size: Param = Field(description="Mean shipment size, kg.")
    interdiction_cost: float = Field(
        1.0, ge=0, description="Cost of interdicting one edge of this mode (network interdiction planner)."
    )


class Suppliers(Strict):
    """Supplier firms at the origin: count, regions and behaviour."""

    count: int = Field(ge=1, le=1_000_000)
    regions: dict[str, float] = Field(description="Share of firms per source node (sums to 1).")
    finished_share: Param = Field(description="Share of firms able to make the final product.")
    capacity_median: Param = Field(description="Median illicit capacity per firm, kg/month of input.")
    capacity_sigma: Param = Field(description="Log-sd of firm capacity (lognormal).")
    finished_capacity_ratio: Param = Field(
        description="Capacity for the final product as a share of a firm's input capacity."
    )
    willingness_mean: Param = Field(description="Mean of firms' intercept a (logit scale).")
    willingness_sd: Param = Field(description="Sd of firms' intercept a across firms.")
    premium_weight: Param = Field(description="b: weight of the demand premium (logit per unit).")
    sanction_weight: Param = Field(description="c: weight of sanction probability (logit per unit).")
    deterrence: Param = Field(
        description="Sanction probability of selling a fully controlled commodity for a firm that is not "
        "scrutinized (general deterrence); scrutiny adds detection on top."
    )
    resilience: Param = Field(description="Monthly probability that a shut firm is replaced.")

    @field_validator("regions")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("at least one region is needed")
        if any(x < 0 for x in v.values()) or abs(sum(v.values()) - 1.0) > 1e-6:
            raise ValueError("region shares must be non-negative and sum to 1")
        return v


class Regulator(Strict):
    """The origin regulator that scrutinizes a share of firms each year."""

    scrutiny_share: Param
    targeting: Literal["random", "risk_based"] = "random"
    targeting_accuracy: Param = Field(
        description="Risk-based targeting: weight on a firm's true willingness (needs cooperation)."
    )
    detection: Param = Field(description="Monthly probability a scrutinized illicit seller is caught.")
    relation: str | None = Field(None, description="Cooperation relation that scales detection.")
    cooperation_dependence: Param = Field(
        description="Share of detection that depends on cooperation: factor = 1 - d + d * level."
    )


class Organization(Strict):
    """A trafficking organization (or a dormant faction of one)."""

    description: str = ""
    territory: list[str] = Field(description="Territorial nodes (labs, entries, crossings) it uses.")
    faction_of: str | None = None
    share: float = Field(0.5, gt=0, le=1, description="Faction: share of the parent it inherits.")
    initial_scale: Param | None = Field(None, description="Desired throughput at start, kg/month.")
    max_scale: Param | None = Field(None, description="Ceiling of desired throughput, kg/month.")
    initial_lab_capacity: Param | None = Field(None, description="Lab capacity at start, kg/month.")


class Trafficking(Strict):
    """Behaviour shared by all trafficking organizations."""

    growth_rate: Param = Field(description="Logistic growth rate of desired throughput, 1/month.")
    growth_loss_sensitivity: Param = Field(description="Growth falls by this × last loss rate.")
    route_dispersion: Param = Field(description="θ: logit sensitivity to relative path cost.")
    procurement_dispersion: Param = Field(description="Logit sensitivity of the input/final choice.")
    risk_aversion: Param = Field(description="λ: weight on expected loss (1 = risk neutral).")
    risk_memory: Param = Field(description="w: weight of this month's seizure rate in perceived risk.")
    risk_prior_weight: Param = Field(description="Monthly pull of unused edges' risk to the prior.")
    lab_capacity_lag: Param = Field(description="Months for lab capacity to catch up with input.")
    cohesion_half_life: Param = Field(description="Months for cohesion to recover half its loss.")
    contest_violence: Param = Field(description="Violence index per unit of contested territory.")
    violence_half_life: Param = Field(description="Months for a violence spike to halve.")


class Agency(Strict):
    """An enforcement agency: inspects shipments at its nodes, or raids processing nodes."""

    description: str = ""
    action: Literal["inspect", "raid"] = "inspect"
    nodes: dict[str, float] = Field(description="Initial allocation weights over its nodes.")
    capacity: Param = Field(description="Coverage units: node-coverages it can staff at once (at the start).")
    capacity_trend: Param | None = Field(
        None, description="Yearly growth of the capacity (staffing, scanners), 1/year; none means constant."
    )
    detection: Param = Field(description="Seizure probability of a covered shipment (raid: per month).")
    intensity: Param = Field(description="Enforcement intensity level at start; events change it.")
    learning_rate: Param = Field(description="Monthly shift of allocation toward successful nodes.")
    relation: str | None = Field(None, description="Cooperation relation that scales effectiveness.")
    cooperation_dependence: Param | None = None
    enforces_controls: bool = Field(
        False, description="Seizure of a commodity scales with its origin control level."
    )
    raid_destroys: Param | None = Field(None, description="Raid: share of stock and capacity lost.")
    plan: Literal["adaptive", "fixed"] = "adaptive"

    @field_validator("nodes")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("an agency needs at least one node")
        if any(x < 0 for x in v.values()) or sum(v.values()) <= 0:
            raise ValueError("allocation weights must be non-negative with a positive sum")
        return v


class MarketRegion(Strict):
    """A market region."""

    demand_share: float = Field(gt=0, le=1)


class Market(Strict):
    """Markets: regional demand shares, consumption, price, purity and the competing supply."""

    regions: dict[str, MarketRegion] = Field(min_length=1)
    consumption_rate: Param = Field(description="Share of market stock consumed per month.")
    reference_supply: Param = Field(description="Reference consumption of the product, kg/month.")
    price_reference: Param = Field(description="Retail price at reference supply, USD/kg.")
    price_elasticity: Param = Field(description="Price response to scarcity (exponent).")
    purity_reference: Param = Field(description="Purity at reference supply (share).")
    purity_elasticity: Param = Field(description="Purity response to supply (exponent).")
    competing_supply_start: Param = Field(
        description="Competing (heroin) supply at start, kg of product-equivalent per month."
    )
    competing_supply_decline: Param = Field(description="Yearly decline of the competing supply.")


class Harm(Strict):
    """Population stocks (US, age 12+) and overdose hazards."""

    population: Param
    use_initial: Param = Field(description="Illicit opioid use without disorder at start, persons.")
    oud_initial: Param = Field(description="Opioid use disorder, untreated, at start, persons.")
    treated_initial: Param = Field(description="OUD in treatment (MOUD) at start, persons.")
    remission_initial: Param = Field(description="In remission at start, persons.")
    initiation_rate: Param = Field(description="Yearly initiation into use, share of non-users.")
    initiation_trend: Param | None = Field(
        None, description="Yearly relative change of the initiation rate, 1/year; none means constant."
    )
    progression_rate: Param = Field(description="Yearly progression use → OUD.")
    cessation_rate: Param = Field(description="Yearly cessation use → no use.")
    treatment_entry_rate: Param = Field(description="Yearly OUD → treatment (within capacity).")
    treatment_capacity_start: Param = Field(description="Treatment slots at start, persons.")
    treatment_capacity_growth: Param = Field(description="Yearly growth of treatment slots.")
    dropout_rate: Param = Field(description="Yearly treatment dropout → OUD.")
    completion_rate: Param = Field(description="Yearly treatment → remission.")
    relapse_rate: Param = Field(description="Yearly remission → OUD.")
    hazard_use: Param = Field(description="Yearly overdose death hazard, use without disorder.")
    hazard_oud: Param = Field(description="Yearly overdose death hazard, untreated OUD.")
    hazard_treated: Param = Field(description="Yearly overdose death hazard, in treatment.")
    hazard_remission: Param = Field(description="Yearly overdose death hazard, in remission.")
    relative_risk_final: Param = Field(description="RR of overdose death with the final product.")
    volatility_weight: Param = Field(description="Hazard increase per unit relative purity change.")
    naloxone_effect: Param = Field(description="Share of overdose deaths averted by naloxone (at the start).")
    naloxone_ceiling: Param | None = Field(
        None, description="Share of deaths averted that naloxone scale-up approaches; none means no scale-up."
    )
    naloxone_growth: Param | None = Field(
        None, description="Yearly rate at which the naloxone effect approaches its ceiling, 1/year."
    )
    background_deaths: Param = Field(
        description="Yearly deaths counted in the observed category not driven by the modelled "
        "supply (e.g. pharmaceutical synthetic opioids)."
    )


class SetLevel(Strict):
    """Set a time-varying level (control.<commodity>, cooperation.<relation>, intensity.<agency>)."""

    type: Literal["set_level"]
    level: str
    value: Param


class ScaleLevel(Strict):
    """Multiply a time-varying level by a factor (until ``until``, if given: then divide by it again)."""

    type: Literal["scale_level"]
    level: str
    factor: Param
    until: Month | None = Field(
        None, description="First month without the effect (YYYY-MM); none: the effect is permanent."
    )


class RampLevel(Strict):
    """Multiply a level by a factor reached linearly over ``months`` months (ramps on one level compose)."""

    type: Literal["ramp_level"]
    level: str
    factor: Param
    months: int = Field(12, ge=1, le=240)


class LeadershipRemoval(Strict):
    """Removal of an organization's leaders: cohesion falls, violence rises, it may fragment."""

    type: Literal["leadership_removal"]
    organization: str
    cohesion_loss: Param
    violence: Param
    fragmentation_probability: Param


class Fragmentation(Strict):
    """An organization splits into its declared factions."""

    type: Literal["fragmentation"]
    organization: str
    violence: Param


class Violence(Strict):
    """A violence spike without structural change."""

    type: Literal["violence"]
    magnitude: Param


Effect = Annotated[
    SetLevel | ScaleLevel | RampLevel | LeadershipRemoval | Fragmentation | Violence,
    Field(discriminator="type"),
]


class Event(Strict):
    """A dated policy or political event with its modelled effects."""

    date: Month
    description: str = ""
    source: str = ""
    enabled: bool = True
    effects: list[Effect]


class SeizureGroup(Strict):
    """A reporting group of seizure nodes (e.g. CBP's Southwest-border OFO)."""

    kinds: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)


class ShareOfGroups(Strict):
    """A share of the seized weight of the final product: one seizure group's part of another's."""

    name: str = Field(description="Summary key prefix: <name>_by_fy.")
    part: str
    whole: str


class RecordNames(Strict):
    """The public record's names for what the model observes: the summary's keys and the calibration
    targets are built from these (so no record's vocabulary is written into the code)."""

    deaths: str = Field("final", description="The observed death category: summary deaths_<deaths>_by_year.")
    seizures: str = Field(
        "seizures",
        description="The seizure record: summary <seizures>_<unit>s_by_fy, <seizures>_events_by_fy.",
    )
    monthly: str = Field(
        "seizures", description="The monthly seizure record: summary <monthly>_monthly_<unit>s and "
        "<monthly>_quarterly_<unit>s, one series per component's seizure group."
    )  # fmt: skip
    components: dict[str, str] = Field(
        default_factory=dict,
        description="The seizure record's components (as its data name them) and the seizure group each "
        "is compared with, in order; the calibration fits each component's weight and events.",
    )
    fy_total: str = Field("fy_total", description="Calibration fit: the components' sum per fiscal year.")
    share: str = Field("share", description="Calibration fit: the first component's share of that sum.")
    share_of_groups: ShareOfGroups | None = Field(
        None, description="A member-wise share of two seizure groups' weight per fiscal year, summarized."
    )


class Observables(Strict):
    """How the model's outputs map onto the public record's categories and units."""

    seizure_groups: dict[str, SeizureGroup]
    crossing_kinds: list[str] = Field(description="Node kinds where the product enters the market country.")
    report_unit: Literal["kg", "lb"] = "lb"
    fiscal_year_start_month: int = Field(10, ge=1, le=12)
    record: RecordNames = RecordNames()

    def group_errors(self) -> list[tuple[str, str]]:
        """Seizure groups named in ``record`` that are not declared: (field path, message) pairs."""
        rec, groups = self.record, self.seizure_groups
        named = [(f"observables.record.components.{c}", g) for c, g in rec.components.items()]
        if rec.share_of_groups is not None:
            named += [
                (f"observables.record.share_of_groups.{k}", getattr(rec.share_of_groups, k))
                for k in ("part", "whole")
            ]
        return [(where, f"unknown seizure group '{g}'") for where, g in named if g not in groups]


class Calibration(Strict):
    """Which declared parameters calibration fits (priors: their ranges), and the shipped posterior."""

    parameters: list[str] = Field(description="Dotted paths of the parameters to calibrate.")
    log_scale: list[str] = Field(
        default_factory=list, description="Parameters whose prior is log-uniform over the range."
    )
    posterior: str | None = Field(
        None, description="Posterior file (relative to the scenario file) that `run` draws members from."
    )


class Scenario(Strict):
    """A complete, validated NarcoFlow scenario."""

    name: str
    description: str = ""
    calendar: Calendar = Calendar()
    commodities: dict[str, Commodity]
    recipe: Recipe | None = None
    node_kinds: dict[str, NodeKind]
    modes: dict[str, Mode]
    network: Network
    suppliers: Suppliers
    regulator: Regulator
    cooperation: dict[str, Param] = Field(default_factory=dict)
    organizations: dict[str, Organization]
    trafficking: Trafficking
    agencies: dict[str, Agency]
    market: Market
    harm: Harm
    events: dict[str, Event] = Field(default_factory=dict)
    observables: Observables
    calibration: Calibration | None = None
    _origin: str = PrivateAttr("")
    _base_dir: str = PrivateAttr(".")
    _extends: tuple[str, ...] = PrivateAttr(())
    _changed: tuple[str, ...] = PrivateAttr(())

    @property
    def base_dir(self) -> str:
        """Directory that relative file names in the scenario (e.g. its posterior) refer to."""
        return self._base_dir

    @property
    def origin(self) -> str:
        """The file (or built-in name) the scenario was loaded from."""
        return self._origin

    @property
    def extends(self) -> tuple[str, ...]:
        """The files this scenario's file extends (``extends:``), root first; empty if none."""
        return self._extends

    @property
    def changed_parameters(self) -> tuple[str, ...]:
        """Parameters a file in the ``extends`` chain set (below the file that names the posterior):
        members keep these values instead of drawing them from the posterior."""
        return self._changed

    def reference_errors(self) -> list[tuple[str, str]]:
        """Cross-references that a schema cannot check: (dotted field path, message) pairs."""
        errors: list[tuple[str, str]] = []
        finals = [k for k, c in self.commodities.items() if c.final]
        if len(finals) != 1:
            errors.append(("commodities", f"exactly one must be final (found {len(finals)})"))
        nodes = self.network.nodes
        for nid, n in nodes.items():
            if n.kind not in self.node_kinds:
                errors.append((f"network.nodes.{nid}.kind", f"unknown node kind '{n.kind}'"))
        for i, e in enumerate(self.network.edges):
            if not e.pairs():
                errors.append((f"network.edges.{i}.to", "the edge leads from a node to itself only"))
            for a, b in e.pairs():
                for end, nid in (("from", a), ("to", b)):
                    if nid not in nodes:
                        errors.append((f"network.edges.{i}.{end}", f"unknown node '{nid}'"))
            if e.mode not in self.modes:
                errors.append((f"network.edges.{i}.mode", f"unknown mode '{e.mode}'"))
            for c in e.commodities or []:
                if c not in self.commodities:
                    errors.append((f"network.edges.{i}.commodities", f"unknown commodity '{c}'"))
        if self.recipe is not None:
            for end in ("input", "output"):
                c = getattr(self.recipe, end)
                if c not in self.commodities:
                    errors.append((f"recipe.{end}", f"unknown commodity '{c}'"))
            if self.recipe.output not in finals:
                errors.append(("recipe.output", "must be the final commodity"))
            if self.recipe.input == self.recipe.output:
                errors.append(("recipe.input", "the recipe's input is its output (mass would not balance)"))
        for nid in self.suppliers.regions:
            if nid not in nodes:
                errors.append((f"suppliers.regions.{nid}", "unknown node"))
            elif self._role(nid) != "source":
                errors.append((f"suppliers.regions.{nid}", "node is not a source"))
        rels = set(self.cooperation)
        if self.regulator.relation and self.regulator.relation not in rels:
            errors.append(("regulator.relation", f"unknown cooperation relation '{self.regulator.relation}'"))
        errors += self._organization_errors()
        for aid, a in self.agencies.items():
            for nid in a.nodes:
                if nid not in nodes:
                    errors.append((f"agencies.{aid}.nodes.{nid}", "unknown node"))
            if a.relation and a.relation not in rels:
                errors.append((f"agencies.{aid}.relation", "unknown cooperation relation"))
            if a.capacity_trend is not None and a.capacity_trend.range[0] <= -1:
                errors.append(
                    (f"agencies.{aid}.capacity_trend", "the range must stay above -1 (a yearly rate)")
                )
            if a.action == "raid" and a.raid_destroys is None:
                errors.append((f"agencies.{aid}.raid_destroys", "required for a raiding agency"))
        h = self.harm
        if h.initiation_trend is not None and h.initiation_trend.range[0] <= -1:
            errors.append(("harm.initiation_trend", "the range must stay above -1 (a yearly rate)"))
        if (h.naloxone_ceiling is None) != (h.naloxone_growth is None):
            errors.append(
                ("harm.naloxone_growth", "naloxone scale-up needs both naloxone_ceiling and naloxone_growth")
            )
        errors += self._share_errors()
        for rid in self.market.regions:
            if self._role(rid) != "market":
                errors.append((f"market.regions.{rid}", "not a market node"))
        levels = self.level_names()
        for eid, ev in self.events.items():
            for j, eff in enumerate(ev.effects):
                where = f"events.{eid}.effects.{j}"
                if isinstance(eff, SetLevel | ScaleLevel | RampLevel) and eff.level not in levels:
                    errors.append((f"{where}.level", f"unknown level '{eff.level}'"))
                if isinstance(eff, ScaleLevel) and eff.until is not None and eff.until <= ev.date:
                    errors.append((f"{where}.until", f"'{eff.until}' is not after the date {ev.date}"))
                if isinstance(eff, ScaleLevel) and eff.until is not None and eff.factor.range[0] <= 0:
                    errors.append((f"{where}.factor", "a temporary factor must stay above 0 (divided out)"))
                if isinstance(eff, SetLevel | ScaleLevel | RampLevel) and eff.level.startswith("shipment."):
                    p, key = (eff.value, "value") if isinstance(eff, SetLevel) else (eff.factor, "factor")
                    if p.range[0] <= 0:
                        errors.append((f"{where}.{key}", "a shipment-size level must stay above 0"))
                if isinstance(eff, LeadershipRemoval | Fragmentation) and (
                    eff.organization not in self.organizations
                ):
                    errors.append((f"{where}.organization", "unknown organization"))
        if self.calibration is not None:
            known = iter_params(self)
            for i, name in enumerate(self.calibration.parameters):
                if name not in known:
                    errors.append((f"calibration.parameters.{i}", f"unknown parameter '{name}'"))
                elif name in self.calibration.parameters[:i]:
                    errors.append((f"calibration.parameters.{i}", f"'{name}' is listed twice"))
            for i, name in enumerate(self.calibration.log_scale):
                if name not in self.calibration.parameters:
                    errors.append((f"calibration.log_scale.{i}", f"'{name}' is not a calibrated parameter"))
                elif name in known and known[name].range[0] <= 0:
                    errors.append(
                        (f"calibration.log_scale.{i}", f"'{name}' has a range that is not positive")
                    )
        for k in self.observables.crossing_kinds:
            if k not in self.node_kinds:
                errors.append(("observables.crossing_kinds", f"unknown node kind '{k}'"))
        errors += self.observables.group_errors()
        return errors

    def _organization_errors(self) -> list[tuple[str, str]]:
        """Territories on known nodes; factions of a known, top-level other organization; scales given."""
        errors: list[tuple[str, str]] = []
        for oid, o in self.organizations.items():
            for nid in o.territory:
                if nid not in self.network.nodes:
                    errors.append((f"organizations.{oid}.territory", f"unknown node '{nid}'"))
            if o.faction_of is None:
                for f in ("initial_scale", "max_scale", "initial_lab_capacity"):
                    if getattr(o, f) is None:
                        errors.append((f"organizations.{oid}.{f}", "required for an organization"))
                continue
            parent = self.organizations.get(o.faction_of)
            if o.faction_of == oid:
                errors.append(
                    (f"organizations.{oid}.faction_of", "an organization cannot be its own faction")
                )
            elif parent is None:
                errors.append((f"organizations.{oid}.faction_of", "unknown organization"))
            elif parent.faction_of is not None:
                errors.append((f"organizations.{oid}.faction_of", f"'{o.faction_of}' is itself a faction"))
        return errors

    def _role(self, node_id: str) -> str | None:
        """The role of a node's kind, or ``None`` for an unknown node or kind."""
        node = self.network.nodes.get(node_id)
        kind = None if node is None else self.node_kinds.get(node.kind)
        return None if kind is None else kind.role

    def _share_errors(self) -> list[tuple[str, str]]:
        """Shares that must sum to 1: market demand shares, and each parent's faction shares."""
        errors: list[tuple[str, str]] = []
        demand = sum(r.demand_share for r in self.market.regions.values())
        if abs(demand - 1.0) > 1e-6:
            errors.append(("market.regions", f"demand shares must sum to 1 (they sum to {demand:g})"))
        parents: dict[str, list[str]] = {}
        for oid, o in self.organizations.items():
            if o.faction_of is not None and o.faction_of != oid:
                parents.setdefault(o.faction_of, []).append(oid)
        for parent, factions in parents.items():
            total = sum(self.organizations[f].share for f in factions)
            if abs(total - 1.0) > 1e-6:
                errors.append(
                    (
                        f"organizations.{factions[-1]}.share",
                        f"the shares of {parent}'s factions ({', '.join(factions)}) must sum to 1 "
                        f"(they sum to {total:g})",
                    )
                )
        return errors

    def calendar_errors(self) -> list[tuple[str, str]]:
        """Enabled events dated outside the calendar (they would silently never happen)."""
        y0, m0 = parse_month(self.calendar.start)
        errors: list[tuple[str, str]] = []
        for eid, ev in self.events.items():
            y, m = parse_month(ev.date)
            t = (y - y0) * 12 + (m - m0)
            if ev.enabled and not 0 <= t < self.calendar.months:
                y1, m1 = divmod(y0 * 12 + m0 - 1 + self.calendar.months - 1, 12)
                errors.append(
                    (
                        f"events.{eid}.date",
                        f"{ev.date} is outside the calendar {self.calendar.start}..{y1}-{m1 + 1:02d} "
                        "(the event would never happen; disable it or move it)",
                    )
                )
        return errors

    def level_names(self) -> list[str]:
        """Names of the time-varying levels that events can change.

        ``control.<commodity>``, ``cooperation.<relation>`` and ``intensity.<agency>`` start at their
        parameters' values; the harm multipliers start at 1: ``harm.hazard`` (all overdose hazards),
        ``harm.final_risk`` (the part of the hazard due to the final product, RR·φ) and ``harm.naloxone``
        (naloxone's availability: the share of deaths surviving naloxone is (1 − e)^level);
        ``shipment.<mode>`` starts at 1 and multiplies the mode's ``shipment_size`` (the kg per shipment,
        hence the number of shipments a flow makes and of seizure events; not the seized share).
        """
        return (
            [f"control.{c}" for c in self.commodities]
            + [f"cooperation.{r}" for r in self.cooperation]
            + [f"intensity.{a}" for a in self.agencies]
            + ["harm.hazard", "harm.final_risk", "harm.naloxone"]
            + [f"shipment.{m}" for m in self.modes]
        )


def _walk(obj: Any, prefix: str) -> Iterator[tuple[str, Param]]:
    if isinstance(obj, Param):
        yield prefix, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk(getattr(obj, name), f"{prefix}.{name}" if prefix else name)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(v, f"{prefix}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk(v, f"{prefix}.{i}")


def iter_params(scenario: Scenario) -> dict[str, Param]:
    """All parameters of a scenario: {dotted path: Param} (levers, uncertainties and fixed ones)."""
    return dict(_walk(scenario, ""))
