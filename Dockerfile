# jobstar demo image: the CLI with the demo models. Build: docker build -t jobstar .
# One image serves every role: `serve` (API + worker), `serve --no-worker` (API only), `worker`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Sources first: the install runs `prepare`, which builds dist/. `npm install` (which keeps
# to the lock) rather than `npm ci`: ci refuses this lock, which lacks vite's optional
# napi-windows-process-start-time (not on the registry).
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY drizzle ./drizzle
RUN npm install --no-audit --no-fund
COPY examples ./examples

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
# The demo models are TypeScript, loaded through tsx; an application would ship compiled
# models and install with --omit=dev.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/drizzle ./drizzle
COPY --from=build /app/examples ./examples
COPY package.json ./
USER node
EXPOSE 4000
# Exec form: node itself is PID 1 and gets SIGTERM from `docker stop`; the CLI closes the
# HTTP server, lets running jobs finish (--grace) and exits 0.
ENTRYPOINT ["node", "--import", "tsx", "dist/cli/bin.js"]
CMD ["serve", "--models", "./examples/demo-server.ts"]
