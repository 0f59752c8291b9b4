# Stand-in for the official redis image in `make compose-smoke` (no registry there): Debian's
# redis-server from the debootstrapped base. docker-compose.yml gives the whole command line.
ARG INFRA_IMAGE=setu-standin/infra:bookworm
FROM ${INFRA_IMAGE}
RUN mkdir -p /data && chown redis:redis /data
# The user comes with the Debian package; its uid differs between bases.
# hadolint ignore=DL3066
USER redis
WORKDIR /data
EXPOSE 6379
CMD ["redis-server", "--dir", "/data"]
