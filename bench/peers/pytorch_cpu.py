#!/usr/bin/python3
"""PyTorch CPU peer for the DeepMap side-by-side benchmark.

Runs the same workloads as `dotnet run -c Release --project bench/DeepMap.Bench -- cpu`
and prints one machine-readable line per workload:

    RESULT <workload> <value> <unit>

Workloads:
  sgemm_512, sgemm_1024, sgemm_2048   torch.mm of float32 square matrices  (GFLOP/s, 2*n^3/time)
  mlp_step   784-256(ReLU)-128(ReLU)-10, batch 128, CE loss, Adam 1e-3 (samples/s)
  cnn_step   conv32-pool-conv64-pool-fc128-fc10 on [64,1,28,28], CE, Adam 1e-3 (samples/s)
  lstm_step  LSTM(28->128) on [64,28,28] batch_first, last hidden -> Linear(128,10), CE, Adam 1e-3 (samples/s)

Each workload is warmed up, then timed for a fixed wall budget (--seconds) as several
repetitions of a calibrated number of iterations; the median repetition is reported.

Use Debian's /usr/bin/python3 (python3-torch). Run with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
unset so OpenBLAS (if that is the libblas.so.3 in use) picks its own kernels.
"""

import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

WORKLOADS = ["sgemm_512", "sgemm_1024", "sgemm_2048", "mlp_step", "cnn_step", "lstm_step"]

TARGET_REPS = 7   # repetitions aimed for within the budget
MIN_REPS = 3      # never fewer than this, even if it overruns the budget


def blas_library():
    """Best-effort: which BLAS shared object is mapped into this process (after torch import)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
    except OSError:
        return "unknown"
    hits = sorted(p for p in paths if "blas" in os.path.basename(p).lower()
                  or "mkl_rt" in os.path.basename(p).lower())
    if not hits:
        return "none mapped"
    return ", ".join(os.path.realpath(p) for p in hits)


# --------------------------------------------------------------------------- timing

def measure(fn, seconds):
    """Warm up fn, then time it for ~`seconds` of wall clock.

    Returns the median seconds per call over the timed repetitions, and the reps/iters used.
    """
    # Warm-up: at least 2 calls, and keep going for ~20% of the budget (capped at 1 s).
    warm_budget = min(1.0, 0.2 * seconds)
    t0 = time.perf_counter()
    calls = 0
    while calls < 2 or time.perf_counter() - t0 < warm_budget:
        fn()
        calls += 1
        if calls >= 2 and (time.perf_counter() - t0) / calls > warm_budget:
            break  # very slow call: two are enough
    per_call = (time.perf_counter() - t0) / calls

    # Calibrate iterations per repetition so ~TARGET_REPS repetitions fill the budget.
    iters = max(1, int(seconds / TARGET_REPS / max(per_call, 1e-9)))

    samples = []
    t_start = time.perf_counter()
    while len(samples) < MIN_REPS or time.perf_counter() - t_start < seconds:
        t = time.perf_counter()
        for _ in range(iters):
            fn()
        samples.append((time.perf_counter() - t) / iters)
    return statistics.median(samples), len(samples), iters


# --------------------------------------------------------------------------- workloads

def make_sgemm(n, device="cpu"):
    g = torch.Generator().manual_seed(n)
    a = torch.randn(n, n, generator=g, dtype=torch.float32).to(device)
    b = torch.randn(n, n, generator=g, dtype=torch.float32).to(device)
    c = torch.empty(n, n, dtype=torch.float32, device=device)

    def step():
        torch.mm(a, b, out=c)

    flops = 2.0 * n ** 3
    return step, lambda t: flops / t / 1e9, "GFLOP/s"


def make_train_step(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step():
        opt.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()

    batch = x.shape[0]
    return step, lambda t: batch / t, "samples/s"


# `device` and `batch`: the GPU peer (pytorch_cuda.py) builds the same models on CUDA.
def make_mlp(device="cpu", batch=128):
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10),
    ).to(device)
    x = torch.randn(batch, 784).to(device)
    y = torch.randint(0, 10, (batch,)).to(device)
    return make_train_step(model, x, y)


def make_cnn(device="cpu", batch=64):
    torch.manual_seed(2)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
        nn.Linear(128, 10),
    ).to(device)
    x = torch.randn(batch, 1, 28, 28).to(device)
    y = torch.randint(0, 10, (batch,)).to(device)
    return make_train_step(model, x, y)


class LstmClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x)      # h: [num_layers=1, batch, 128]
        return self.head(h[-1])


def make_lstm():
    torch.manual_seed(3)
    model = LstmClassifier()
    x = torch.randn(64, 28, 28)
    y = torch.randint(0, 10, (64,))
    return make_train_step(model, x, y)


FACTORIES = {
    "sgemm_512": lambda: make_sgemm(512),
    "sgemm_1024": lambda: make_sgemm(1024),
    "sgemm_2048": lambda: make_sgemm(2048),
    "mlp_step": make_mlp,
    "cnn_step": make_cnn,
    "lstm_step": make_lstm,
}


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description="PyTorch CPU peer for DeepMap benchmarks")
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="torch.set_num_threads (default: os.cpu_count() = %(default)s)")
    ap.add_argument("--seconds", type=float, default=3.0,
                    help="timed wall budget per workload (default: %(default)s)")
    ap.add_argument("--only", default="",
                    help="comma-separated workloads to run (default: all): " + ",".join(WORKLOADS))
    args = ap.parse_args()

    if args.threads < 1:
        ap.error("--threads must be >= 1")
    if args.seconds <= 0:
        ap.error("--seconds must be > 0")

    selected = WORKLOADS
    if args.only:
        selected = [w.strip() for w in args.only.split(",") if w.strip()]
        unknown = [w for w in selected if w not in FACTORIES]
        if unknown:
            ap.error("unknown workload(s): %s (known: %s)" % (",".join(unknown), ",".join(WORKLOADS)))

    torch.set_num_threads(args.threads)

    par = [ln.strip() for ln in torch.__config__.parallel_info().splitlines() if ln.strip()]
    print("# PyTorch CPU peer: torch %s, python %s" % (torch.__version__, sys.version.split()[0]))
    print("# threads: requested %d, torch.get_num_threads() = %d" % (args.threads, torch.get_num_threads()))
    print("# parallel_info: " + " | ".join(par[:2]))
    blas = blas_library()
    print("# blas: %s" % blas)
    if "/blas/libblas.so" in blas:
        print("# WARNING: libblas.so.3 is the netlib *reference* BLAS (single-threaded, unoptimised); "
              "sgemm and Linear/LSTM numbers are not representative. "
              "Fix: apt-get install -y libopenblas0-pthread")
    print("# OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s" % (
        os.environ.get("OPENBLAS_CORETYPE", "<unset>"), os.environ.get("OPENBLAS_L2_SIZE", "<unset>")))
    print("# seconds per workload: %g" % args.seconds, flush=True)

    rows = []
    for name in selected:
        step, to_value, unit = FACTORIES[name]()
        if name.startswith("sgemm"):
            with torch.no_grad():
                t, reps, iters = measure(step, args.seconds)
        else:
            t, reps, iters = measure(step, args.seconds)
        value = to_value(t)
        rows.append((name, value, unit, t, reps, iters))
        print("# done %-10s %12.2f %s" % (name, value, unit), file=sys.stderr, flush=True)

    print()
    print("%-12s %14s %-10s %14s %6s %7s" % ("workload", "value", "unit", "median ms/iter", "reps", "iters"))
    print("-" * 68)
    for name, value, unit, t, reps, iters in rows:
        print("%-12s %14.2f %-10s %14.4f %6d %7d" % (name, value, unit, t * 1e3, reps, iters))
    print()
    for name, value, unit, _, _, _ in rows:
        print("RESULT %s %.4f %s" % (name, value, unit))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
