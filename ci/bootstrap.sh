#!/bin/sh
# Install what netproof needs on Debian 12, only what is missing; near-instant when all is
# present. Run by `npm start` and `npm test`; safe to run again.
# --docker also installs the Docker engine and mmdebstrap (the Docker runtime and its node
# image, built by ci/build-node-image.sh): `npm test` and `npm run bench` pass it.
# --browser also installs Debian's chromium, which only the project's own tests use (they
# open the HTML report in it, headless); `npm test` passes it. No browser is ever downloaded.
#
# Node: the `node` devDependency puts Node 24 at node_modules/.bin/node, which npm scripts
# use first, so `npm ci` is all a machine with an older system Node needs.
set -eu

PACKAGES="frr openvswitch-switch ovn-central ovn-host iproute2 iputils-ping tcpdump nftables ethtool ncat socat procps"
for arg in "$@"; do
  case "$arg" in
    --docker) PACKAGES="$PACKAGES docker.io mmdebstrap" ;;
    --browser) PACKAGES="$PACKAGES chromium" ;;
    *) echo "netproof bootstrap: unknown option $arg (options: --docker, --browser)" >&2; exit 2 ;;
  esac
done
MIN_NODE_MAJOR=22

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "netproof bootstrap: missing Debian packages:$missing" >&2
    echo "    fix: sudo apt-get install -y --no-install-recommends$missing   (or run npm as root)" >&2
    exit 3
  fi
  echo "netproof bootstrap: installing$missing" >&2
  # The packaged services (a host-wide FRR, OVS, OVN, Docker) must not start: netproof runs
  # its own daemons inside each lab and never changes the host's root namespace; the tests
  # start dockerd themselves, without its bridge and firewall rules.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
  fi
fi

# Only a clone runs netproof on the first node on PATH (npm scripts). An installed package
# (node_modules/netproof/ci/bootstrap.sh) runs through bin/netproof.js, which checks its Node.
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$root/lib/cli/main.ts" ] || exit 0

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt "$MIN_NODE_MAJOR" ]; then
  echo "netproof bootstrap: Node $(node --version 2>/dev/null || echo '(none)') is too old; netproof needs Node >= $MIN_NODE_MAJOR." >&2
  echo "    fix: npm ci   (installs Node 24 from the npm registry into node_modules/.bin), then use npm start / npm test" >&2
  exit 3
fi
