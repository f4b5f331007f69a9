#!/usr/bin/env bash
# Installs the system packages orgpulse needs on a Debian machine when they are missing:
# Java 17+ and Maven (the local Kafka broker), Prometheus (the end-to-end tests).
set -euo pipefail

need=()
java_major() { java -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -n1; }
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ]; then need+=(openjdk-17-jre-headless); fi
command -v mvn >/dev/null || need+=(maven)
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then need+=(prometheus); fi

if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing: ${need[*]} -- install them (Debian: apt-get install ${need[*]}) or use 'docker compose up'" >&2
  exit 1
fi
echo "installing ${need[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
