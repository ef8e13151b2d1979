# Kapı container image. Runs the TypeScript sources through tsx (a runtime dependency), as `npm start` does.
FROM node:22-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm ci's postinstall patches dependencies (bin/patch-dependencies.mjs): it has to be there first.
COPY bin/patch-dependencies.mjs bin/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
USER node
EXPOSE 3000
# /readyz is on the operator's listener (KAPI_ADMIN_PORT, default PORT + 1, on 127.0.0.1 inside the container).
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3001/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# The node flags and malloc settings are those of `npm start` (src/runtime/node-flags.ts; test/unit/node-flags.test.ts checks them).
ENV MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072
CMD ["node", "--no-memory-reducer", "--import", "tsx", "src/main.ts"]
