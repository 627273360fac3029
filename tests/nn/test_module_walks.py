"""Module walks (parameters, modules) read a copy of each module's attributes: another thread may set them."""

from __future__ import annotations

import tinygrad_seminar as ts
from tinygrad_seminar import nn


def test_a_walk_sees_a_copy_of_the_attributes_so_setting_one_meanwhile_is_safe():
    # a fit in one thread sets attributes while a predict in another walks the modules; here the consumer of a walk
    model = nn.Sequential([nn.Dense(2, input_dim=3), nn.Dense(1)])
    model(ts.zeros(1, 3))
    walk = model.parameter_walk()
    name, _ = next(walk)  # suspended inside the first layer's attributes
    model.layers[0].note = "set meanwhile"
    assert [name] + [n for n, _ in walk] == [n for n, _ in model.named_parameters()]
