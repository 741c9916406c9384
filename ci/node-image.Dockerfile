# netproof's node image for users who can pull from a registry: the same packages as
# ci/build-node-image.sh (which builds it here, where no registry is reachable).
#   docker build -f ci/node-image.Dockerfile -t netproof/node:bookworm ci
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      frr openvswitch-switch ovn-host ovn-central iproute2 iputils-ping tcpdump nftables ethtool ncat socat procps \
 && rm -rf /var/lib/apt/lists/*
CMD ["sleep", "infinity"]
