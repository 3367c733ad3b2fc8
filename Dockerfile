# Velostream-C node image: velo-sql (the engine and `serve`) and velo-cli, on Debian 12.
# Build:  docker build -t velostream-c:0.1.0 .
# Run:    docker run -p 8080:8080 -v velo-data:/data velostream-c:0.1.0
# The runtime stage gets exactly the shared libraries the binaries need (scripts/runtime-packages.sh,
# checked against the binaries here and by the deploy_dockerfile test). docs/deployment.md.

# ---- build: the project's own scripts (install-deps.sh, CMake Release build) ----
FROM debian:12 AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-helm.sh scripts/
# Build dependencies only (VELO_DEPS_NO_TOOLS: no helm for the chart tests).
RUN VELO_DEPS_NO_TOOLS=1 ./scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DVELO_TESTS=OFF \
    && cmake --build build --target velo-sql velo-cli \
    && strip build/velo-sql build/velo-cli \
    && ./scripts/runtime-packages.sh --check build/velo-sql build/velo-cli

# ---- runtime: shared libraries, the two binaries, a non-root user, /data ----
FROM debian:12-slim
ARG VELO_UID=10001
COPY scripts/runtime-packages.sh /tmp/runtime-packages.sh
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       $(sh /tmp/runtime-packages.sh) \
    && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.sh \
    && groupadd --system --gid "$VELO_UID" velo \
    && useradd --system --uid "$VELO_UID" --gid velo --home-dir /data --shell /usr/sbin/nologin velo \
    && mkdir -p /data \
    && chown velo:velo /data
COPY --from=build /src/build/velo-sql /src/build/velo-cli /usr/local/bin/
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# velo-sql handles SIGTERM itself (stops jobs, drains, flushes): no init wrapper needed as PID 1.
# Listening on every interface: set a token (--auth-token-file) unless the network is private.
ENTRYPOINT ["velo-sql"]
CMD ["serve", "--listen", "0.0.0.0", "--port", "8080", "--data-dir", "/data"]
