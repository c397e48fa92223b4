# syntax=docker/dockerfile:1.7
# Build: docker build -t privatelink-bot .
# Run:   see the README's "Running in a container" (docker run, volumes, environment).

FROM rust:1.95-slim-bookworm AS build
# aws-lc-sys (rustls' crypto, used by the AWS SDK and reqwest) builds C code;
# cmake and perl cover the targets where its cc-only build is not enough.
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake perl make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that source edits do not rebuild the AWS SDK.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && echo 'fn main() {}' > benches/flow.rs \
    && cargo build --release --locked \
    && rm -rf src benches
# The message catalogues are compiled in (include_str!) and read by the build
# script, which checks every message key the code names; the IAM policy the
# sandbox's AWS enforces (the demo's world) is compiled in too.
COPY build.rs ./
COPY locales ./locales
COPY config ./config
COPY src ./src
COPY benches ./benches
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin privatelink-bot

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin bot \
    && mkdir -p /data /etc/privatelink-bot && chown bot /data
COPY --from=build /src/target/release/privatelink-bot /usr/local/bin/privatelink-bot
COPY config/privatelink-bot.example.toml /etc/privatelink-bot/config.example.toml
USER bot
WORKDIR /data
VOLUME ["/data"]
ENV PRIVATELINK_BOT_CONFIG=/etc/privatelink-bot/config.toml \
    PRIVATELINK_BOT__STORE__PATH=/data/privatelink-bot.sled \
    PRIVATELINK_BOT__HTTP__LISTEN=0.0.0.0:8080 \
    RUST_LOG=info
EXPOSE 8080
# The image has no shell tools: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 \
    CMD ["privatelink-bot", "health"]
# tini forwards signals, so a stop flushes and exits cleanly; jobs resume on the next start.
ENTRYPOINT ["/usr/bin/tini", "--", "privatelink-bot"]
CMD ["serve"]
