#!/usr/bin/python3
"""PyTorch CUDA peer for the GPU check (bench/gpu/run.sh).

Runs the GPU check's workloads with torch.cuda, TF32 off (plain FP32, as DeepMap's kernels), and prints
`RESULT <name> <value> <unit>` lines with the GPU check's names, so run.sh can pair them into RATIO lines:

  launch_sync          a one-element fill_, then torch.cuda.synchronize()            (us)
  device_copy_bw       y.copy_(a) of 2^26 floats, read + written bytes               (GB/s)
  elementwise_add_bw   torch.add(a, b, out=y), read + written bytes                  (GB/s)
  sgemm_1024/2048/4096 torch.mm of float32 square matrices (cuBLAS)                  (GFLOP/s)
  mlp_step, cnn_step   the CPU peer's models and batches (pytorch_cpu.py), on CUDA   (samples/s)

Every step ends with torch.cuda.synchronize(); timing is the CPU peer's `measure`.
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_cpu as cpu  # noqa: E402  (same models, same timing)


def synced(step):
    def run():
        step()
        torch.cuda.synchronize()
    return run


def main():
    ap = argparse.ArgumentParser(description="PyTorch CUDA peer for the DeepMap GPU check")
    ap.add_argument("--seconds", type=float, default=1.5, help="timed wall budget per workload (default: %(default)s)")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("# PyTorch CUDA peer: torch.cuda.is_available() is False", file=sys.stderr)
        return 3

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device("cuda")
    print("# PyTorch CUDA peer: torch %s, CUDA %s, cuDNN %s, %s, TF32 off" % (
        torch.__version__, torch.version.cuda, torch.backends.cudnn.version(), torch.cuda.get_device_name(0)))

    def result(name, value, unit):
        print("RESULT %s %.4f %s" % (name, value, unit), flush=True)

    one = torch.empty(1, device=dev)
    t, _, _ = cpu.measure(synced(lambda: one.fill_(1.0)), args.seconds)
    result("launch_sync", t * 1e6, "us")

    n = 1 << 26
    a = torch.ones(n, device=dev)
    b = torch.full((n,), 2.0, device=dev)
    y = torch.empty(n, device=dev)
    t, _, _ = cpu.measure(synced(lambda: y.copy_(a)), args.seconds)
    result("device_copy_bw", 2 * n * 4 / t / 1e9, "GB/s")
    t, _, _ = cpu.measure(synced(lambda: torch.add(a, b, out=y)), args.seconds)
    result("elementwise_add_bw", 3 * n * 4 / t / 1e9, "GB/s")
    del a, b, y

    with torch.no_grad():
        for size in (1024, 2048, 4096):
            step, to_value, unit = cpu.make_sgemm(size, device=dev)
            t, _, _ = cpu.measure(synced(step), args.seconds)
            result("sgemm_%d" % size, to_value(t), unit)

    for name, make in (("mlp_step", cpu.make_mlp), ("cnn_step", cpu.make_cnn)):
        step, to_value, unit = make(device=dev)
        t, _, _ = cpu.measure(synced(step), args.seconds)
        result(name, to_value(t), unit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
