#!/usr/bin/env bash
# Installs what Ferry needs on a Debian/Ubuntu machine, and only what is missing.
# Safe to run any number of times. Needs root or sudo for apt-get.
set -euo pipefail

log() { printf '[bootstrap] %s\n' "$*" >&2; }

# Debian package that provides each thing we check for.
declare -A wanted=(
    [nats-server]="nats-server"          # JetStream server used by tests and the local stack
    [libnats]="libnats-dev"              # official NATS C client, linked through Sources/CNATS
    [pkg-config]="pkg-config"            # SwiftPM finds libnats through pkg-config
    [postgres]="postgresql"              # throwaway clusters for tests and the local stack
    [curl]="curl"                        # health checks in scripts
    [libxml2]="libxml2-dev"              # FoundationXML (PrestaShop XML) links libxml2
    [python3]="python3"                  # small helpers in the test scripts
    [psql]="postgresql-client"           # schema checks in the test scripts
    [shellcheck]="shellcheck"            # the test suite lints its own scripts
    [promtool]="prometheus"              # alert rule tests and the live dashboard check
    [amtool]="prometheus-alertmanager"   # Alertmanager config and route tests
    [yamllint]="yamllint"                # k8s/ manifests
    [venv]="python3-venv"                # scripts/tests/k8s_test.sh keeps its pinned PyPI tools in a venv
    [yaml]="python3-yaml"                # loadtest/ reads the KEDA ScaledObject and scenario files
)

have() {
    case "$1" in
        libnats) pkg-config --exists libnats 2>/dev/null || [ -f /usr/include/nats/nats.h ] ;;
        postgres) ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ;;
        libxml2) [ -e /usr/include/libxml2/libxml/parser.h ] ;;
        venv) python3 -c 'import ensurepip, venv' >/dev/null 2>&1 ;;
        yaml) python3 -c 'import yaml' >/dev/null 2>&1 ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

missing=()
for thing in "${!wanted[@]}"; do
    have "$thing" || missing+=("${wanted[$thing]}")
done

if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { log "need root or sudo to install ${missing[*]}"; exit 1; }
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    log "system packages present"
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        log "swift found at /opt/swift/usr/bin; add it to PATH"
    else
        log "Swift 6.1 or newer is required and is not a Debian package: install the toolchain from swift.org first"
        exit 1
    fi
fi
