# A worker: hosts data partitions and computes their gradients on the GPU (ILGPU's CUDA backend; the driver comes from
# the host through the NVIDIA container toolkit) or, without one, on the SIMD CPU backend. Remoting on 4053, probes on
# 8081. Build from the repository root: docker build -f deploy/worker.Dockerfile -t deepmap/worker .
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-base-ubuntu24.04

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/DeepMap.Tensors/DeepMap.Tensors.csproj src/DeepMap.Tensors/
COPY src/DeepMap.Protocol/DeepMap.Protocol.csproj src/DeepMap.Protocol/
COPY src/DeepMap.Worker/DeepMap.Worker.csproj src/DeepMap.Worker/
RUN dotnet restore src/DeepMap.Worker/DeepMap.Worker.csproj
COPY src/ src/
RUN dotnet publish src/DeepMap.Worker/DeepMap.Worker.csproj -c Release --no-restore -p:UseAppHost=false -o /app

# The .NET runtime, copied into the CUDA image below.
FROM mcr.microsoft.com/dotnet/runtime:10.0 AS dotnet

FROM ${CUDA_IMAGE}
# What the .NET runtime needs on Ubuntu (no ICU: the projects use invariant globalization), certificates for TLS and the
# Kubernetes API, and curl for the health check.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl libssl3t64 libstdc++6 zlib1g \
    && rm -rf /var/lib/apt/lists/*
COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
# ILGPU opens libcuda.so, but the NVIDIA container toolkit mounts only libcuda.so.1 (and only when the container
# starts). One link per place the toolkit may put it, each in its own folder on LD_LIBRARY_PATH: the loader skips the
# links that dangle and opens the one that resolves. The root filesystem can stay read-only.
RUN for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do \
      link="/opt/deepmap/cuda$d"; mkdir -p "$link" && ln -s "$d/libcuda.so.1" "$link/libcuda.so"; \
    done
ENV LD_LIBRARY_PATH=/opt/deepmap/cuda/usr/lib/x86_64-linux-gnu:/opt/deepmap/cuda/usr/lib64:/opt/deepmap/cuda/usr/local/nvidia/lib64:/opt/deepmap/cuda/usr/local/nvidia/lib \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    DOTNET_ROOT=/usr/share/dotnet
RUN useradd --uid 1654 --user-group --no-create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /app .
# Every setting is a DEEPMAP_* variable (docs/cluster.md). DEEPMAP_HOST=auto: each replica advertises its own address.
ENV DEEPMAP_PORT=4053 \
    DEEPMAP_HOST=auto \
    DEEPMAP_BIND_HOST=0.0.0.0 \
    DEEPMAP_HEALTH_PORT=8081 \
    DEEPMAP_DEVICE=auto
EXPOSE 4053 8081
USER app
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=6 CMD curl -fsS http://127.0.0.1:8081/readyz || exit 1
ENTRYPOINT ["dotnet", "DeepMap.Worker.dll"]
