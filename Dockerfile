# syntax=docker/dockerfile:1
# opsbook in a container: `docker run --rm -v "$PWD:/handbook" -u "$(id -u):$(id -g)"
# ghcr.io/opsbook/opsbook build`. The binary is static (musl); the base is Alpine rather than
# scratch because GitLab CI runs a job's script with the image's shell.
#
# `docker build .` compiles opsbook here; the release workflow passes `--build-arg
# BINARY=prebuilt` and the static binaries it built, in dist/image-amd64/ and dist/image-arm64/.

ARG ALPINE=3.22
ARG BINARY=source

FROM rust:1-alpine${ALPINE} AS source
# The Alpine release pins musl-dev's version.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# `--version` names this commit when it is passed in (.git is not copied).
ARG OPSBOOK_COMMIT=""
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked && cp target/release/opsbook /opsbook

FROM scratch AS prebuilt
ARG TARGETARCH
COPY --chmod=0755 dist/image-${TARGETARCH}/opsbook /opsbook

FROM ${BINARY} AS binary

FROM alpine:${ALPINE}
RUN addgroup -S -g 10001 opsbook \
    && adduser -S -D -u 10001 -G opsbook -h /handbook opsbook
COPY --from=binary /opsbook /usr/local/bin/opsbook
# Numeric, so that Kubernetes can tell it is not root.
USER 10001:10001
WORKDIR /handbook
# `opsbook serve --bind 0.0.0.0` to reach the preview from outside the container.
EXPOSE 1111
ENTRYPOINT ["opsbook"]
CMD ["--help"]
