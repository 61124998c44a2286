# syntax=docker/dockerfile:1
# jingle-sip-gateway image. The build stage installs every dependency, type-checks the sources
# and compiles them to dist/ (npm run build); the runtime stage carries production dependencies
# and dist/ only and runs it with plain node as the unprivileged `node` user: no tsx loader
# thread (~35–40 MiB of RSS, docs/performance.md). Configure it with GW_* variables (docs/configuration.md, docs/operations.md).
#
#   docker build -t jingle-sip-gateway .
#   docker run --rm -e GW_XMPP_DOMAIN=… -e GW_XMPP_SERVICE=… -e GW_XMPP_SECRET=… -e GW_SIP_DOMAIN=… \
#     -p 5060:5060/udp -p 5060:5060/tcp -p 127.0.0.1:9100:9100 jingle-sip-gateway
#   docker run --rm -e … jingle-sip-gateway node dist/cli.js check-config

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY bin/ bin/
COPY src/ src/
COPY config/ config/
COPY LICENSE ./
RUN npx tsc --noEmit -p tsconfig.json && npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
# Sources stay owned by root: the service user can read them, not change them.
COPY --from=build /app/dist/ dist/
COPY --from=build /app/config/ config/
COPY --from=build /app/LICENSE ./
USER node

# In a container the ops endpoint must be reachable from outside (the default is 127.0.0.1).
# SIP listens on udp/tcp 0.0.0.0:5060 by default (sip.listen).
ENV GW_HTTP_LISTEN=0.0.0.0:9100
EXPOSE 5060/udp 5060/tcp 9100/tcp

# Liveness through /healthz with node itself (slim images have no curl). It follows
# GW_HTTP_LISTEN; a wildcard address is probed on loopback. Readiness (/readyz) is for load
# balancers and orchestrators: it is 503 while the component connects and while draining.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const m=/^\\[?(.*?)\\]?:(\\d+)$/.exec(process.env.GW_HTTP_LISTEN||'127.0.0.1:9100')||[];const h=m[1]==='0.0.0.0'?'127.0.0.1':m[1]==='::'?'::1':m[1];require('node:http').get({host:h,port:m[2],path:'/healthz',timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]

# node is PID 1 and receives `docker stop`'s SIGTERM itself: the service drains (new calls
# refused, active ones get shutdown.drainTimeoutMs) and exits. Give `docker stop -t` /
# stop_grace_period more than that limit, or the engine kills it before the calls have ended.
CMD ["node", "dist/cli.js", "run"]
