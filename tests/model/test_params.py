"""Typed parameters: the schema's tree of per-member arrays, with no silent defaults."""

from __future__ import annotations

import numpy as np
import pytest

import narcoflow
from narcoflow.model.layout import build_layout
from narcoflow.model.params import bind, derive, group
from narcoflow.scenario.parameters import iter_params, member_values
from narcoflow.scenario.schema import Harm


@pytest.fixture(scope="module")
def bound(baseline: narcoflow.Scenario):
    members = np.array([3, 7])
    values = member_values(baseline, members, {"agencies.cbp_ofo.capacity": [2.0, 3.0]})
    return bind(baseline, values), values


def test_every_parameter_is_bound_at_its_place(baseline: narcoflow.Scenario, bound) -> None:
    p, values = bound
    np.testing.assert_array_equal(p.agencies["cbp_ofo"].capacity, [2.0, 3.0])
    assert p.harm.hazard_oud is values["harm.hazard_oud"]
    for path in iter_params(baseline):
        node = p
        for part in path.split("."):
            node = (
                node[int(part)]
                if isinstance(node, list)
                else (node[part] if isinstance(node, dict) else getattr(node, part))
            )
        assert node is values[path], path


def test_a_misspelt_name_is_an_error_not_a_default(bound) -> None:
    p, _ = bound
    with pytest.raises(AttributeError, match="naloxone_ceilng"):
        _ = p.harm.naloxone_ceilng
    with pytest.raises(AttributeError):
        p.harm.new_parameter = np.zeros(2)
    with pytest.raises(AttributeError, match="no parameters"):
        group(Harm, {"hazard_odu": np.zeros(2)})


def test_optional_parameters_left_out_are_none(baseline: narcoflow.Scenario) -> None:
    assert baseline.agencies["cn_customs"].raid_destroys is None
    p = bind(baseline, member_values(baseline, np.arange(2)))
    assert p.agencies["cn_customs"].raid_destroys is None
    assert p.agencies["mx_raids"].raid_destroys is not None
    assert group(Harm, {}).naloxone_ceiling is None


def test_derived_constants(baseline: narcoflow.Scenario, bound) -> None:
    p, _ = bound
    lay = build_layout(baseline)
    k = derive(lay, p)
    a = lay.agencies.ids.index("cbp_ofo")
    np.testing.assert_array_equal(k.agency_capacity[:, a], [2.0, 3.0])
    assert k.shipment_size.shape == (2, lay.net.n_edges + 1)
    np.testing.assert_array_equal(k.shipment_size[:, -1], 1.0)
    np.testing.assert_array_equal(k.input_weight[:, lay.net.inputs], p.recipe.factor)
    np.testing.assert_array_equal(k.raid_destroys[:, lay.agencies.ids.index("cn_customs")], 0.0)
