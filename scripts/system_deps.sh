#!/usr/bin/env bash
# System packages the Python dependencies need but pip cannot install:
#  - unixodbc: libodbc.so.2, without which dbt-synapse (pyodbc) cannot even be imported
#  - a Java 17 runtime: the local PySpark session of the cross-engine tests
# Idempotent: installs only what is missing (needs root and the Debian archive).
set -euo pipefail
missing=()
if ! ldconfig -p 2>/dev/null | grep -q 'libodbc.so.2'; then missing+=(unixodbc); fi
if ! command -v java >/dev/null 2>&1; then missing+=(openjdk-17-jre-headless); fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
    echo "system_deps: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "system_deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
