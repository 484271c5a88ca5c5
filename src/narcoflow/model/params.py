"""Typed parameters: a scenario's declared parameters bound to per-member arrays, once.

:func:`bind` mirrors the scenario's schema tree: every :class:`~narcoflow.scenario.schema.Param` of
the scenario becomes a float64 array over the members at the same place, so the model reads
``p.agencies["cbp_ofo"].capacity`` or ``p.harm.hazard_oud`` — never a string key. Each schema class
gets one parameter class whose ``__slots__`` are its parameter fields: a misspelt name is an
``AttributeError`` (never a silent default), and an optional parameter the scenario leaves out is
``None``, which the code tests for explicitly.

Structural fields (names, node lists, flags) are not here: they live in the scenario and the
:class:`~narcoflow.model.layout.Layout`.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from narcoflow.scenario.schema import Param, Scenario

if TYPE_CHECKING:
    from narcoflow.model.layout import Layout

#: the bound parameter tree (its classes are made from the schema at run time, so typed as Any)
Params = Any


class ParamGroup:
    """The per-member parameters of one schema object; subclasses declare them as ``__slots__``."""

    __slots__ = ()

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}=…" for k in self.__slots__)
        return f"{type(self).__name__}({inner})"


_CLASSES: dict[type[BaseModel], type[ParamGroup]] = {}


def _holds_params(annotation: Any) -> bool:
    """Whether a field annotation can hold a Param (directly, optionally, or inside a model, dict or list)."""
    if annotation is Param:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(_holds_params(f.annotation) for f in annotation.model_fields.values())
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _holds_params(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict, tuple):
        return any(_holds_params(a) for a in typing.get_args(annotation))
    return False


def _group_class(model: type[BaseModel]) -> type[ParamGroup]:
    """The parameter class of a schema class: one slot per field that can hold parameters (the
    scenario's class also holds ``derived``, the per-member constants the engine computes once)."""
    if model not in _CLASSES:
        fields = tuple(n for n, f in model.model_fields.items() if _holds_params(f.annotation))
        fields += ("derived",) if model is Scenario else ()
        _CLASSES[model] = type(f"{model.__name__}Params", (ParamGroup,), {"__slots__": fields})
    return _CLASSES[model]


def _bind(obj: Any, path: str, values: Mapping[str, np.ndarray]) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Param):
        return values[path]
    if isinstance(obj, BaseModel):
        cls = _group_class(type(obj))
        group = cls()
        for name in cls.__slots__:
            if name == "derived":
                continue
            setattr(group, name, _bind(getattr(obj, name), f"{path}.{name}" if path else name, values))
        return group
    if isinstance(obj, dict):
        return {k: _bind(v, f"{path}.{k}", values) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_bind(v, f"{path}.{i}", values) for i, v in enumerate(obj)]
    return obj


def bind(scenario: Scenario, values: Mapping[str, np.ndarray]) -> Any:
    """The scenario's parameters as a tree of per-member arrays (``values``: {dotted path: [M]}).

    ``values`` must hold every parameter of the scenario (as
    :func:`narcoflow.scenario.parameters.member_values` returns them); the result's attributes mirror
    the schema (``p.suppliers.resilience``, ``p.events["china_2019"].effects[0].factor``).
    """
    return _bind(scenario, "", values)


def group(model: type[BaseModel], values: Mapping[str, Any]) -> ParamGroup:
    """A parameter group of schema class ``model`` from ``values`` by field name (fields not given are
    ``None``, as optional parameters a scenario leaves out): for testing one process on its own."""
    cls = _group_class(model)
    unknown = set(values) - set(cls.__slots__)
    if unknown:
        raise AttributeError(f"{model.__name__} has no parameters {sorted(unknown)}")
    g = cls()
    for name in cls.__slots__:
        setattr(g, name, values.get(name))
    return g


@dataclass(frozen=True)
class Derived:
    """Per-member constants derived from the parameters, computed once per run (``p.derived``)."""

    value: np.ndarray  # [M, C] commodities' value at the origin, USD/kg
    price: np.ndarray  # [M, C] purchase price from the firms, USD/kg
    recipe_factor: np.ndarray  # [M] kg of final product per kg of input (1 without a recipe)
    recipe_cost: np.ndarray  # [M] processing cost, USD/kg of output (0 without a recipe)
    input_weight: np.ndarray  # [M, C] final-product equivalents per kg (the recipe factor for the input)
    shipment_size: np.ndarray  # [M, E+1] kg per shipment on each edge (its mode's size; null edge 1)
    agency_capacity: np.ndarray  # [M, A] node-coverages at the start
    capacity_trend: np.ndarray  # [M, A] yearly growth of the capacity (0 where not declared)
    agency_learning_rate: np.ndarray  # [M, A]
    raid_destroys: np.ndarray  # [M, A] share of stock and capacity a raid destroys (0 where not declared)


def derive(lay: Layout, p: Params) -> Derived:
    """The per-member constants of a bound parameter tree ``p`` on its layout."""
    net = lay.net
    M = len(p.trafficking.route_dispersion)
    agencies = [p.agencies[a] for a in lay.agencies.ids]
    per_agency = lambda f: np.stack([f(a) for a in agencies], axis=1)  # noqa: E731
    optional = lambda x: np.zeros(M) if x is None else x  # noqa: E731
    factor = p.recipe.factor if p.recipe is not None else np.ones(M)
    weight = np.ones((M, len(net.commodity_ids)))
    if net.inputs is not None:
        weight[:, net.inputs] = factor
    mode_size = np.stack([p.modes[m].shipment_size for m in net.mode_ids], axis=1)  # [M, modes]
    return Derived(
        value=np.stack([p.commodities[c].value for c in net.commodity_ids], axis=1),
        price=np.stack([p.commodities[c].price for c in net.commodity_ids], axis=1),
        recipe_factor=factor,
        recipe_cost=p.recipe.cost if p.recipe is not None else np.zeros(M),
        input_weight=weight,
        shipment_size=np.concatenate([mode_size[:, net.edge_mode], np.ones((M, 1))], axis=1),
        agency_capacity=per_agency(lambda a: a.capacity),
        capacity_trend=per_agency(lambda a: optional(a.capacity_trend)),
        agency_learning_rate=per_agency(lambda a: a.learning_rate),
        raid_destroys=per_agency(lambda a: optional(a.raid_destroys)),
    )
