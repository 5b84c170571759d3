# syntax=docker/dockerfile:1
# Ferry's one image: `ferry gateway`, `ferry worker`, `ferry migrate`, … (the Kubernetes manifests in k8s/ pass the
# subcommand as the container's args).
#   docker build -t registry.example.com/ferry/ferry:0.1.0 .
# The builder and the runtime are both Debian 12 (bookworm), so the libnats the binary links against at build time
# (libnats-dev 3.4) is the one the runtime installs (libnats3.4).

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS builder
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libnats-dev pkg-config libxml2-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a change to Ferry's sources does not fetch them again.
COPY Package.swift ./
# SwiftPM checks that every target's folder exists, test targets included, before it resolves or builds.
COPY Tests ./Tests
RUN swift package resolve
COPY Sources ./Sources
RUN swift build -c release --product ferry --static-swift-stdlib \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/ferry" /out/ferry

FROM ${RUNTIME_IMAGE} AS runtime
# What the binary links dynamically besides glibc and libstdc++ (both in the base image): libnats (NATS client),
# libcurl and libxml2 (Foundation's networking and XML), and the CA certificates for TLS to NetSuite and PrestaShop.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libnats3.4 libcurl4 libxml2 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 ferry \
    && useradd --system --uid 10001 --gid ferry --home-dir /nonexistent --shell /usr/sbin/nologin ferry
COPY --from=builder /out/ferry /usr/local/bin/ferry
USER 10001:10001
# The gateway's port (FERRY_GATEWAY_PORT) and the worker's metrics port (FERRY_WORKER_METRICS_PORT) in k8s/.
EXPOSE 8080 9090
ENTRYPOINT ["ferry"]
CMD ["--help"]
