# The provider (and, with DEMO_APP=true, the demo app) on Node.js 24 LTS. No build step: Node runs
# the TypeScript sources directly (type stripping).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY src ./src
COPY migrations ./migrations
COPY scopes ./scopes
COPY views ./views
COPY public ./public
COPY docs ./docs
USER node
EXPOSE 3000 3001
# The heap settings of `npm start`: V8 otherwise sizes its heap from the host's memory, and one
# instance under the API load grew to 320+ MiB instead of 170 (docs/PERFORMANCE.md, "Memory").
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=192", "src/main.ts"]
