# syntax=docker/dockerfile:1
# The service image: API (default command) and lifecycle worker (`node dist/worker.js`) alike.
# Build: docker build -t instagram-connect .   Topology: compose.yaml.
# The Node line is the one in .nvmrc and package.json (engines, devEngines); a test keeps them equal.

# --- build: compile the TypeScript and the dashboard with the dev dependencies ------------------
FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds the dashboard, which needs the sources copied below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY client ./client
COPY web ./web
RUN npm run build && npm run build:web

# --- runtime: production dependencies only, no compiler, not root ------------------------------
FROM node:26-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# The image's own unprivileged user (uid 1000); nothing under /app is writable by it.
USER node
EXPOSE 4000
# /healthz answers while the process serves; /readyz (database) is for load balancers.
# HEALTHCHECK_PORT: 4000 for the API, 4100 (WORKER_PORT) for the worker; compose sets it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTHCHECK_PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains HTTP and closes WebSockets (1001) before exiting; node is PID 1 here, and the
# entry point handles the signal itself.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
