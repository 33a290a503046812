# Build stage: dependencies are compiled in their own layer, so that changing the code does not rebuild them.
FROM rust:1-slim-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY Cargo.toml Cargo.lock ./
# How the bundled SQLite is built (.cargo/config.toml): the image's as the tests and the bench build it.
COPY .cargo .cargo
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src src
COPY migrations migrations
COPY reference reference
RUN touch src/main.rs src/lib.rs && cargo build --release --locked

# Runtime stage: only the binary and the PostgreSQL client library it links against.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home registry
COPY --from=build /build/target/release/opinto-registry /usr/local/bin/opinto-registry
USER registry
WORKDIR /data
ENV BIND_ADDR=0.0.0.0:8080 \
    DATA_DIR=/data \
    RUST_LOG=info
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["opinto-registry", "healthcheck", "--url", "http://127.0.0.1:8080/health/ready"]
ENTRYPOINT ["opinto-registry"]
CMD ["serve"]
