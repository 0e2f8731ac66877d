# syntax=docker/dockerfile:1
# One image for every deployable, chosen by its command: `kimap edge`, `kimap mailbox`,
# `kimap delivery`, `kimap migrate`, `kimap imapctl ...`, `kimap server`
# (bin/kimap; docs/operations/image.md). Build: docker build -t kimap:0.1.0 .
# e2e/test/image.test.ts checks this file and runs bin/kimap as the image would.

ARG NODE_IMAGE=node:20-bookworm-slim

# The manifests npm needs: the root, the six services, and the tests' workspace
# (npm ci wants every workspace of the lockfile present; its packages are not installed).
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY services/common/package.json services/common/
COPY services/mailbox/package.json services/mailbox/
COPY services/imap-edge/package.json services/imap-edge/
COPY services/delivery/package.json services/delivery/
COPY services/imapctl/package.json services/imapctl/
COPY services/server/package.json services/server/
COPY e2e/package.json e2e/

# Compiles the services: their dependencies and the root's tools (TypeScript), then tsc.
# Install scripts are skipped: argon2 loads its prebuilt binary without one.
FROM manifests AS build
RUN npm ci --no-audit --no-fund --ignore-scripts --include-workspace-root \
      -w services/common -w services/mailbox -w services/imap-edge \
      -w services/delivery -w services/imapctl -w services/server
COPY tsconfig.base.json tsconfig.json ./
COPY services services
RUN npx tsc -b

# The services' production dependencies, nothing else.
FROM manifests AS deps
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
      -w services/common -w services/mailbox -w services/imap-edge \
      -w services/delivery -w services/imapctl -w services/server

FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="kimap" \
      org.opencontainers.image.description="Kubernetes-native, horizontally scaled IMAP server cluster: IMAP edge, mailbox service, LMTP delivery, imapctl" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# A named user for the numeric uid, so that tools asking who runs them get an answer;
# its home is /tmp, the one writable place besides mounted volumes. /var/lib/kimap is
# an empty mount point for a volume (the embedded server's DATA_DIR): a new Docker
# volume mounted there takes its owner, the user.
RUN groupadd --gid 10001 kimap \
 && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin kimap \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/kimap
ENV NODE_ENV=production \
    DATA_DIR=/tmp/kimap \
    HOME=/tmp
WORKDIR /app
# Everything below belongs to root and is only read: the root filesystem may be read-only.
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY services/common/package.json services/common/
COPY --from=build /app/services/common/dist services/common/dist
COPY services/mailbox/package.json services/mailbox/
COPY --from=build /app/services/mailbox/dist services/mailbox/dist
COPY services/imap-edge/package.json services/imap-edge/
COPY --from=build /app/services/imap-edge/dist services/imap-edge/dist
COPY services/delivery/package.json services/delivery/
COPY --from=build /app/services/delivery/dist services/delivery/dist
COPY services/imapctl/package.json services/imapctl/
COPY --from=build /app/services/imapctl/dist services/imapctl/dist
COPY services/server/package.json services/server/
COPY --from=build /app/services/server/dist services/server/dist
# Read at run time from beside the services (PROTO_DIR, MIGRATIONS_DIR default to them).
COPY proto proto
COPY migrations migrations
COPY bin/kimap bin/kimap
USER 10001:10001
# IMAP (STARTTLS), IMAP over TLS, LMTP, mailbox gRPC, admin gRPC (ADMIN_GRPC_LISTEN, off
# by default), ops HTTP of the embedded server, mailbox, edge and delivery.
EXPOSE 1143 1993 2424 50051 50052 9100 9101 9102 9103
ENTRYPOINT ["node", "/app/bin/kimap"]
