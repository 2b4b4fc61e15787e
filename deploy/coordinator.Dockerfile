# The coordinator: HTTP API and dashboard on 8080, Akka remoting on 4053, job store under /var/lib/deepmap/state.
# Build from the repository root: docker build -f deploy/coordinator.Dockerfile -t deepmap/coordinator .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/DeepMap.Tensors/DeepMap.Tensors.csproj src/DeepMap.Tensors/
COPY src/DeepMap.Protocol/DeepMap.Protocol.csproj src/DeepMap.Protocol/
COPY src/DeepMap.Coordinator/DeepMap.Coordinator.csproj src/DeepMap.Coordinator/
RUN dotnet restore src/DeepMap.Coordinator/DeepMap.Coordinator.csproj
COPY src/ src/
RUN dotnet publish src/DeepMap.Coordinator/DeepMap.Coordinator.csproj -c Release --no-restore -p:UseAppHost=false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl only for the health check.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/deepmap/state /data && chown -R "$APP_UID" /var/lib/deepmap
WORKDIR /app
COPY --from=build /app .
# Every setting is a DEEPMAP_* variable (docs/cluster.md). The API binds beyond loopback, so the container refuses to
# start without DEEPMAP_TOKEN: give it from an env file or a secret, never in the image.
ENV DEEPMAP_API=http://0.0.0.0:8080 \
    DEEPMAP_PORT=4053 \
    DEEPMAP_HOST=auto \
    DEEPMAP_BIND_HOST=0.0.0.0 \
    DEEPMAP_STATE=/var/lib/deepmap/state \
    DEEPMAP_DATA=/data
EXPOSE 8080 4053
VOLUME ["/var/lib/deepmap/state"]
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=6 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["dotnet", "DeepMap.Coordinator.dll"]
