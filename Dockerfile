# One image for the four services; SERVICE chooses which one a container runs.
#   docker build -t helpline .
#   docker run -e SERVICE=gateway -e REDIS_URL=redis://redis:6379 helpline

# ---- build: every workspace compiled with its dev dependencies ----
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/runtime/package.json packages/runtime/
COPY packages/redis-server/package.json packages/redis-server/
COPY packages/testkit/package.json packages/testkit/
COPY packages/system/package.json packages/system/
COPY services/gateway/package.json services/gateway/
COPY services/classifier/package.json services/classifier/
COPY services/tickets/package.json services/tickets/
COPY services/network/package.json services/network/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json turbo.json ./
COPY packages packages
COPY services services
RUN npm run build
# Production dependencies only from here on: no testkit, compilers or test runner ship.
RUN npm prune --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/packages/contracts/package.json packages/contracts/
COPY --from=build --chown=node:node /app/packages/contracts/dist packages/contracts/dist
COPY --from=build --chown=node:node /app/packages/runtime/package.json packages/runtime/
COPY --from=build --chown=node:node /app/packages/runtime/dist packages/runtime/dist
# Each service's manifest and build; the classifier also reads its rules and reply texts
# from data/. No sources, tests or benchmarks ship.
COPY --from=build --chown=node:node /app/services/gateway/package.json services/gateway/
COPY --from=build --chown=node:node /app/services/gateway/dist services/gateway/dist
COPY --from=build --chown=node:node /app/services/classifier/package.json services/classifier/
COPY --from=build --chown=node:node /app/services/classifier/dist services/classifier/dist
COPY --from=build --chown=node:node /app/services/classifier/data services/classifier/data
COPY --from=build --chown=node:node /app/services/tickets/package.json services/tickets/
COPY --from=build --chown=node:node /app/services/tickets/dist services/tickets/dist
COPY --from=build --chown=node:node /app/services/network/package.json services/network/
COPY --from=build --chown=node:node /app/services/network/dist services/network/dist
# Data the services write (the group channel's spool) lives in a volume owned by node.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
ENV SERVICE=gateway
CMD ["sh", "-c", "exec node services/${SERVICE}/dist/main.js"]
