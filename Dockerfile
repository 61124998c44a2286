# syntax=docker/dockerfile:1
# jingle-sip-gateway image. TypeScript runs through tsx (a runtime dependency), so nothing is
# compiled: the build stage installs every dependency and type-checks the sources it hands on;
# the runtime stage carries production dependencies only and runs as the unprivileged `node` user.
#
# For now the entry point only answers `--help` (and `translate`). The service milestone adds the
# `run` subcommand, makes it the default CMD, and adds a HEALTHCHECK against http.listen. Node
# runs as PID 1 there, which ignores signals it has no handler for; the service installs its own
# SIGTERM handler (drain, shutdown.drainTimeoutMs).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY config/ config/
COPY LICENSE ./
RUN npx tsc --noEmit -p tsconfig.json

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
# Sources stay owned by root: the service user can read them, not change them.
COPY --from=build /app/tsconfig.json ./
COPY --from=build /app/bin/ bin/
COPY --from=build /app/src/ src/
COPY --from=build /app/config/ config/
COPY --from=build /app/LICENSE ./
USER node
ENTRYPOINT ["node", "bin/jingle-sip-gateway"]
CMD ["--help"]
