#!/usr/bin/env bash
# Publishes the GPU check (bench/DeepMap.GpuCheck) self-contained for linux-x64 into bench/gpu/bin/ (ignored by git),
# for a GPU machine that has the CUDA driver but no .NET SDK and no package registry:
#
#   flock /tmp/dotnet-build.lock bench/gpu/publish.sh
#
# One compressed single file plus ILGPU's nothing-else: the runtime is inside, the CUDA driver (libcuda.so.1) is the
# machine's. No trimming: ILGPU finds BCL methods (Math, intrinsics) by reflection when it compiles kernels, which a
# trimmed framework could lose on CUDA only, where this machine cannot test it. Prints the size at the end; the
# device tool carries at most 64 MiB with the working tree (`carry: ["bench/gpu/bin"]`).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$repo_root/bench/gpu/bin"
rm -rf "$out"
dotnet publish "$repo_root/bench/DeepMap.GpuCheck/DeepMap.GpuCheck.csproj" -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -p:DebugType=none -p:GenerateDocumentationFile=false \
    --nologo -v quiet -o "$out"
echo "published: $out ($(du -sh "$out" | cut -f1), $(du -sb "$out" | cut -f1) bytes)"
ls -l "$out"
