# Stand-in for the official postgres image in `make compose-smoke` (no registry there):
# Debian's PostgreSQL 15 with an entrypoint that honours the same contract (POSTGRES_PASSWORD,
# PGDATA, /docker-entrypoint-initdb.d/*.sh and *.sql on first start).
ARG INFRA_IMAGE=setu-standin/infra:bookworm
FROM ${INFRA_IMAGE}
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
RUN mkdir -p /var/lib/postgresql/data /docker-entrypoint-initdb.d /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
    && chmod 700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
# The user comes with the Debian package; its uid differs between bases.
# hadolint ignore=DL3066
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
CMD ["postgres"]
