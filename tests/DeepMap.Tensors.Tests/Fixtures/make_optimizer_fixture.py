#!/usr/bin/python3
"""Generate optimizers.json: reference parameter trajectories from torch.optim (float64).

Run with Debian's python3-torch from the repository root:

    /usr/bin/python3 tests/DeepMap.Tensors.Tests/Fixtures/make_optimizer_fixture.py

A single parameter vector p0 is updated for 3 steps with fixed gradients g1..g3
(p.grad = g_t before each optimizer.step()); the parameter after every step is recorded.
All arithmetic is float64; the initial values are exactly representable in float32, the
gradients are the float64 values of the decimal literals below.

Case -> torch optimizer:
  sgd                SGD(lr=0.1)
  momentum           SGD(lr=0.1, momentum=0.9)
  nesterov           SGD(lr=0.1, momentum=0.9, nesterov=True)
  adam               Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-8)
  adam_weight_decay  AdamW(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
                     (DeepMap's Adam weight_decay is decoupled weight decay, i.e. AdamW)
"""

import json
import os
import re
import sys

import torch

INITIAL = [0.5, -1.25, 2.0, 0.0, -0.75, 3.5]
GRADIENTS = [
    [0.1, -0.2, 0.3, -0.4, 0.5, -0.6],
    [-0.05, 0.15, 0.25, 0.35, -0.45, 0.55],
    [0.2, 0.2, -0.2, -0.2, 0.0, 1.0],
]

# name, optimizer kind (DeepMap), torch factory, recorded hyper-parameters
CASES = [
    ("sgd", "sgd",
     lambda ps: torch.optim.SGD(ps, lr=0.1, foreach=False),
     dict(lr=0.1, momentum=0.0, nesterov=False, beta1=0.0, beta2=0.0, eps=0.0, weight_decay=0.0)),
    ("momentum", "sgd",
     lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, foreach=False),
     dict(lr=0.1, momentum=0.9, nesterov=False, beta1=0.0, beta2=0.0, eps=0.0, weight_decay=0.0)),
    ("nesterov", "sgd",
     lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, foreach=False),
     dict(lr=0.1, momentum=0.9, nesterov=True, beta1=0.0, beta2=0.0, eps=0.0, weight_decay=0.0)),
    ("adam", "adam",
     lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, foreach=False),
     dict(lr=0.01, momentum=0.0, nesterov=False, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)),
    ("adam_weight_decay", "adam",
     lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1,
                                  foreach=False),
     dict(lr=0.01, momentum=0.0, nesterov=False, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1)),
]


def run_case(factory):
    p = torch.nn.Parameter(torch.tensor(INITIAL, dtype=torch.float64))
    opt = factory([p])
    after = []
    for g in GRADIENTS:
        opt.zero_grad()
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        after.append([float(v) for v in p.detach().tolist()])
    return after


def main():
    # The initial values must survive a float32 round trip unchanged.
    assert torch.tensor(INITIAL, dtype=torch.float32).double().tolist() == INITIAL

    cases = []
    for name, kind, factory, hp in CASES:
        case = {"name": name, "optimizer": kind}
        case.update(hp)
        case["after_steps"] = run_case(factory)
        cases.append(case)

    doc = {
        "generated_by": "tests/DeepMap.Tensors.Tests/Fixtures/make_optimizer_fixture.py with torch %s "
                        "(torch.optim, float64; adam_weight_decay = torch.optim.AdamW)" % torch.__version__,
        "initial": INITIAL,
        "gradients": GRADIENTS,
        "cases": cases,
    }

    # json.dumps writes floats with repr(): shortest string that round-trips the double exactly.
    # Arrays of plain numbers are then folded onto one line for readability.
    text = json.dumps(doc, indent=2)
    text = re.sub(r"\[\s*([-+0-9.eE]+(?:,\s*[-+0-9.eE]+)*)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    assert json.loads(text) == doc
    text += "\n"
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json")
    with open(out, "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
