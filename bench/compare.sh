#!/usr/bin/env bash
# Side-by-side benchmark: DeepMap vs. a reference framework on the same machine.
#
#   bench/compare.sh cpu [--seconds S]
#   bench/compare.sh cluster [--seconds S]
#
# Modes:
#   cpu       DeepMap.Bench `cpu` workloads vs. the PyTorch CPU peer (bench/peers/pytorch_cpu.py).
#             Both sides print `RESULT <workload> <value> <unit>` lines (throughputs: higher is better);
#             for every workload present in both, this prints `RATIO <workload> <deepmap/pytorch>`.
#   cluster   DeepMap's tensor exchange between two processes vs. plain loopback TCP (`RATIO exchange_16mb`), and
#             weak scaling of real coordinator + worker processes from 1 to 2 workers on the CNN and MLP jobs of
#             bench/jobs (`RATIO weak_scaling_2`, `RATIO weak_scaling_2_mlp`), with one sync step split into
#             compute, transfer and waiting (`SPLIT` lines), and what the machine itself allows: the same gradients
#             on 2 threads at once with no communication (`CEILING` lines). S is the measuring window per job (default 20).
#             Takes about 3 minutes (164 s seen); on a shared machine run it under the build lock so no build disturbs it:
#             flock /tmp/dotnet-build.lock bench/compare.sh cluster
#
# Environment knobs (optional):
#   DEEPMAP_PEER_PYTHON        interpreter for the peer (default /usr/bin/python3, Debian's python3-torch)
#   DEEPMAP_PEER_CORETYPE      if set, OPENBLAS_CORETYPE for the peer only (default: unset, OpenBLAS autodetects)
set -euo pipefail

usage() {
    echo "usage: bench/compare.sh cpu|cluster [--seconds S]" >&2
    echo "  modes: cpu       DeepMap.Bench vs. PyTorch CPU peer" >&2
    echo "         cluster   tensor exchange vs. loopback TCP; weak scaling 1 -> 2 worker processes" >&2
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if [[ $# -lt 1 ]]; then
    usage
    exit 2
fi
mode="$1"
shift

secs=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds)
            [[ $# -ge 2 ]] || { echo "compare.sh: --seconds needs a value" >&2; usage; exit 2; }
            secs="$2"; shift 2 ;;
        --seconds=*)
            secs="${1#--seconds=}"; shift ;;
        -h|--help)
            usage; exit 0 ;;
        *)
            echo "compare.sh: unknown argument: $1" >&2; usage; exit 2 ;;
    esac
done
if [[ -n "$secs" ]] && ! [[ "$secs" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    echo "compare.sh: --seconds must be a positive number, got '$secs'" >&2
    exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Prints `RATIO <workload> <a/b>` for each workload in both RESULT files (order of file a).
print_ratios() {
    local a="$1" b="$2"
    awk '
        FNR == NR { if ($1 == "RESULT") { va[$2] = $3; ua[$2] = $4; order[++n] = $2 } next }
        $1 == "RESULT" { vb[$2] = $3; ub[$2] = $4 }
        END {
            print ""
            for (i = 1; i <= n; i++) {
                w = order[i]
                if (!(w in vb)) continue
                if (ua[w] != ub[w]) printf "# warning: unit mismatch for %s: %s vs %s\n", w, ua[w], ub[w]
                if (vb[w] + 0 == 0) { printf "RATIO %s nan\n", w; continue }
                printf "RATIO %s %.2f\n", w, va[w] / vb[w]
            }
        }' "$a" "$b"
}

run_cpu() {
    secs="${secs:-3}"
    local py="${DEEPMAP_PEER_PYTHON:-/usr/bin/python3}"
    if ! "$py" -c 'import torch' >/dev/null 2>&1; then
        echo "compare.sh: $py cannot import torch; install it with: apt-get install -y python3-torch" >&2
        exit 1
    fi

    echo "=== DeepMap: dotnet run -c Release --project bench/DeepMap.Bench -- cpu --seconds $secs"
    dotnet run -c Release --project bench/DeepMap.Bench -- cpu --seconds "$secs" | tee "$tmp/deepmap.txt"

    # PyTorch's intra-op threads and OpenBLAS's own threads oversubscribe the cores when both are N (measured here:
    # MLP 4.8 ms/step against 1.5 ms). Give the peer its best: run it with all threads in PyTorch and one in OpenBLAS,
    # then with one in PyTorch and all in OpenBLAS, and keep each workload's faster result.
    local threads
    threads="$(nproc)"
    local -a peer_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_VERBOSE=2)
    if [[ -n "${DEEPMAP_PEER_CORETYPE:-}" ]]; then
        peer_env+=("OPENBLAS_CORETYPE=$DEEPMAP_PEER_CORETYPE")
    fi
    echo
    echo "=== PyTorch peer, torch threads $threads, OpenBLAS threads 1: $py bench/peers/pytorch_cpu.py --seconds $secs"
    "${peer_env[@]}" OPENBLAS_NUM_THREADS=1 "$py" -u bench/peers/pytorch_cpu.py --threads "$threads" --seconds "$secs" 2>&1 | tee "$tmp/pytorch-intraop.txt"
    echo
    echo "=== PyTorch peer, torch threads 1, OpenBLAS threads $threads: $py bench/peers/pytorch_cpu.py --seconds $secs"
    "${peer_env[@]}" OPENBLAS_NUM_THREADS="$threads" "$py" -u bench/peers/pytorch_cpu.py --threads 1 --seconds "$secs" 2>&1 | tee "$tmp/pytorch-blas.txt"
    awk '$1 == "RESULT" { if (!($2 in best) || $3 + 0 > best[$2] + 0) { best[$2] = $3; unit[$2] = $4 }; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
         END { print ""; print "# PyTorch, best of the two thread settings per workload"; for (i = 1; i <= n; i++) printf "RESULT %s %s %s\n", order[i], best[order[i]], unit[order[i]] }' \
        "$tmp/pytorch-intraop.txt" "$tmp/pytorch-blas.txt" | tee "$tmp/pytorch.txt"

    print_ratios "$tmp/deepmap.txt" "$tmp/pytorch.txt"
}

run_cluster() {
    local start=$SECONDS
    echo "=== build (Release): coordinator, worker, DeepMap.Bench"
    for project in src/DeepMap.Coordinator src/DeepMap.Worker bench/DeepMap.Bench; do
        dotnet build -c Release "$project" -v q -nologo >"$tmp/build.txt" 2>&1 || { cat "$tmp/build.txt"; exit 1; }
    done
    local bench=(dotnet bench/DeepMap.Bench/bin/Release/net10.0/DeepMap.Bench.dll)
    echo
    echo "=== tensor exchange: ${bench[*]} exchange"
    "${bench[@]}" exchange | tee "$tmp/exchange.txt"
    echo
    local window=()
    [[ -n "$secs" ]] && window=(--seconds "$secs")
    echo "=== weak scaling: ${bench[*]} scaling ${window[*]}"
    "${bench[@]}" scaling "${window[@]}" | tee "$tmp/scaling.txt"
    echo
    echo "# compare.sh cluster took $((SECONDS - start)) s"
    grep -h -E '^(SPLIT|CEILING) ' "$tmp/scaling.txt" || true
    grep -h '^RATIO ' "$tmp/exchange.txt" "$tmp/scaling.txt"
}

case "$mode" in
    cpu) run_cpu ;;
    cluster) run_cluster ;;
    -h|--help) usage; exit 0 ;;
    *)
        echo "compare.sh: unknown mode '$mode'" >&2
        usage
        exit 2 ;;
esac
