#!/usr/bin/env bash
# The GPU check, one prepared run for a GPU machine that has the CUDA driver but no .NET SDK and no registry:
#
#   bench/gpu/publish.sh        # here, where the SDK is (writes bench/gpu/bin/, about 40 MB, ignored by git)
#   bench/gpu/run.sh            # there (device tool: carry ["bench/gpu/bin"]); under 5 minutes
#
# 1. prints the device ILGPU sees (and nvidia-smi's view where it exists);
# 2. runs every kernel case of the conformance suite on it against the float64 reference (exits 1 on a mismatch);
# 3. measures launch overhead, elementwise and copy bandwidth, SGEMM 1024/2048/4096 and the CPU benchmark's MLP and
#    CNN train steps (`RESULT <name> <value> <unit>`);
# 4. where `python3` has torch with CUDA, runs the same with torch.cuda, TF32 off (bench/peers/pytorch_cuda.py),
#    and prints `RATIO <name> <deepmap/pytorch>` (for launch_sync, pytorch/deepmap: higher is better throughout).
#
# Without a GPU it says so plainly and runs the same program on ILGPU's CPU emulation with small sizes, which checks
# the kernels and every path but measures nothing worth reading. DEEPMAP_DEVICE=ilgpu-cpu asks for that directly.
# DEEPMAP_GPUCHECK overrides the program (e.g. "dotnet bench/DeepMap.GpuCheck/bin/Release/net10.0/DeepMap.GpuCheck.dll",
# as the test does); extra arguments go to it (--seconds S).
set -uo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

program="${DEEPMAP_GPUCHECK:-$repo_root/bench/gpu/bin/DeepMap.GpuCheck}"
if [[ -z "${DEEPMAP_GPUCHECK:-}" && ! -x "$program" ]]; then
    echo "run.sh: $program is missing: run bench/gpu/publish.sh first (where the .NET SDK is)" >&2
    exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

device="${DEEPMAP_DEVICE:-cuda}"
echo "# bench/gpu/run.sh on $(hostname 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
if [[ "$device" == cuda ]] && command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>/dev/null | sed 's/^/# nvidia-smi: /'
fi

# $program is a path or a command line ("dotnet x.dll"): word-split on purpose.
# shellcheck disable=SC2086
DEEPMAP_DEVICE="$device" timeout 240 $program "$@" | tee "$tmp/deepmap.txt"
rc=$?
if [[ "$device" == cuda && $rc -eq 3 ]]; then
    echo "NO GPU: ILGPU sees no CUDA device here, so this did NOT run on a GPU. Running up to where CUDA is needed:"
    echo "the same check on ILGPU's CPU emulation (DEEPMAP_DEVICE=ilgpu-cpu, small sizes; its numbers mean nothing)."
    device=ilgpu-cpu
    # shellcheck disable=SC2086
    DEEPMAP_DEVICE="$device" timeout 240 $program --small "$@" | tee "$tmp/deepmap.txt"
    rc=$?
fi
if [[ $rc -ne 0 ]]; then
    [[ $rc -eq 124 ]] && echo "run.sh: the check ran past its 240 s limit" >&2
    echo "run.sh: the GPU check failed (exit $rc)" >&2
    exit "$rc"
fi

if [[ "$device" == cuda ]]; then
    if timeout 60 python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' >/dev/null 2>&1; then
        if PYTHONUNBUFFERED=1 timeout 150 python3 bench/peers/pytorch_cuda.py | tee "$tmp/pytorch.txt"; then
            # Throughputs pair as deepmap/pytorch; launch_sync (microseconds) as pytorch/deepmap.
            awk '
                FNR == NR && $1 == "RESULT" { d[$2] = $3; next }
                $1 == "RESULT" { p[$2] = $3 }
                END {
                    for (k in p) if (k in d && d[k] > 0 && p[k] > 0)
                        printf "RATIO %s %.4f\n", k, (k == "launch_sync" ? p[k] / d[k] : d[k] / p[k])
                    if (("elementwise_add_bw" in d) && p["device_copy_bw"] > 0)
                        printf "RATIO elementwise_add_vs_pytorch_copy %.4f\n", d["elementwise_add_bw"] / p["device_copy_bw"]
                }' "$tmp/deepmap.txt" "$tmp/pytorch.txt" | sort
        else
            echo "run.sh: the PyTorch CUDA peer failed; no RATIO lines against it" >&2
        fi
    else
        echo "# no PyTorch with CUDA in python3 here: no RATIO lines against torch.cuda"
    fi
    echo "GPUCHECK done on a GPU (DEEPMAP_DEVICE=cuda)"
else
    echo "GPUCHECK done WITHOUT a GPU (DEEPMAP_DEVICE=$device, ILGPU's CPU emulation): conformance checked, no GPU numbers"
fi
