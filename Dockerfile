# Kapı container image: the compiled JavaScript of `npm run build` (dist/) on Node 22, with the
# production dependencies only. The build stage compiles; the image copies its tree as it is.
FROM node:22-bookworm-slim AS build
WORKDIR /app
# pkcs11js is a native module: built here, so the image itself needs no compiler.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm ci's postinstall patches dependencies (bin/patch-dependencies.mjs); its "prepare" (bin/build.mjs)
# has no sources to build yet (no tsconfig.build.json) and says so. Both need bin/ first.
COPY bin/ bin/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
# The whole tree: dist/ (the code the image runs), node_modules (production only, already patched), and
# the files the code reads from the tree (views, static files, docs/openapi; src/runtime/package-root.ts).
COPY --from=build /app /app
USER node
EXPOSE 3000
# /readyz is on the operator's listener (KAPI_ADMIN_PORT, default PORT + 1, on 127.0.0.1 inside the container).
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3001/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# The node flags and malloc settings are those of `npm start` (src/runtime/node-flags.ts; test/unit/node-flags.test.ts checks them).
ENV MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072
CMD ["node", "--no-memory-reducer", "dist/src/main.js"]
