# One image for both roles: `node server/dist/main.js` (API + page) and `node worker/dist/main.js`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY worker/package.json worker/
COPY web/package.json web/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --workspace shared --workspace server --workspace worker

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 OUTPUT_PATH=/data/output MODELS_PATH=/models DATA_PATH=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/shared/package.json shared/
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/server/package.json server/
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/worker/package.json worker/
COPY --from=build /app/worker/dist worker/dist
COPY --from=build /app/web/dist web/dist
USER node
EXPOSE 3002
CMD ["node", "server/dist/main.js"]
