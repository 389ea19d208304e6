# Builds the `vestegn` server and its web front end. Used by docker-compose.yml.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p vestegn-api

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/vestegn /usr/local/bin/vestegn
COPY --from=web /src/web/dist /usr/share/vestegn/web
ENV WEB_DIR=/usr/share/vestegn/web
EXPOSE 8080
CMD ["vestegn"]
