#!/bin/sh
# Build netproof's node image (FRR, Open vSwitch, OVN and the probe tools) from Debian
# packages with mmdebstrap, and import it into the local Docker engine. No container registry
# is needed (none is reachable here). Cached by content: the tag carries a hash of the package
# list and of this script, so a second run with nothing changed is instant.
# Prints the image name. Users with a registry can build ci/node-image.Dockerfile instead.
set -eu

PACKAGES="frr,openvswitch-switch,ovn-host,ovn-central,iproute2,iputils-ping,tcpdump,nftables,ethtool,ncat,socat,procps"
SUITE=bookworm
NAME=netproof/node

hash=$(printf '%s\n%s\n' "$PACKAGES" "$(cat "$0")" | sha256sum | cut -c1-12)
image="$NAME:$SUITE-$hash"

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "build-node-image: no Docker engine answers" >&2
  echo "    fix: apt-get install docker.io && dockerd &" >&2
  exit 3
fi
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi
if ! command -v mmdebstrap >/dev/null 2>&1; then
  echo "build-node-image: mmdebstrap is not installed" >&2
  echo "    fix: apt-get install mmdebstrap" >&2
  exit 3
fi

# The machine's own apt sources (its mirror), so the image comes from where apt already works.
sources=""
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
  [ -s "$f" ] && sources="$sources $f"
done

# merged-usr keeps perl out (≈250 MB instead of ≈300 MB); minbase has no init: CMD keeps it alive.
# The hooks are chatty: their output is shown only if the build fails.
log=$(mktemp /tmp/netproof-image-build.XXXXXX)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
if ! mmdebstrap --quiet --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --include="$PACKAGES" "$SUITE" - $sources 2>"$log" |
  docker import --change 'CMD ["sleep","infinity"]' --change "LABEL netproof.recipe=$hash" - "$image" >/dev/null; then
  cat "$log" >&2
  echo "build-node-image: the build failed (mmdebstrap's output above)" >&2
  exit 1
fi
docker tag "$image" "$NAME:$SUITE"
echo "$image"
