# syntax=docker/dockerfile:1
# framewire: server, capture client and exporter on Debian 12 with Debian's
# OpenCV 4.6 and ONNX Runtime 1.30.0 (from the npm package onnxruntime-node,
# checked by sha256). Build with BuildKit (docker build, docker compose build).
# Build stage: Go toolchain on Debian 12 (bookworm) plus libopencv-dev.
FROM golang:1.26-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopencv-dev pkg-config npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -o /out/bin/ ./cmd/framewire-server ./cmd/framewire-capture ./cmd/framewire-export \
 && FRAMEWIRE_MODELS=/out/models bash scripts/install-models.sh \
 && FRAMEWIRE_LIB=/out/lib bash scripts/install-onnxruntime.sh

# Run stage: only the OpenCV runtime libraries the binaries link, GStreamer
# for pipelines, cameras and videos that change picture size, and an
# unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libopencv-core406 libopencv-dnn406 libopencv-imgcodecs406 libopencv-imgproc406 \
      libopencv-videoio406 libopencv-video406 libopencv-highgui406 libopencv-objdetect406 \
      libopencv-photo406 libopencv-calib3d406 libopencv-features2d406 libopencv-flann406 \
      gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav \
      ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --gid nogroup --groups video --no-create-home framewire \
 && mkdir -p /data/out && chown framewire:nogroup /data/out
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build /out/models/ /usr/local/share/framewire/models/
COPY --from=build /out/lib/ /usr/local/lib/framewire/
USER framewire
WORKDIR /data
# /data/out is a volume: the image's ownership (uid 10001) carries over
# to a new named volume, so the server can write to it out of the box.
VOLUME /data/out
EXPOSE 5005 8080
# The server drains for up to --drain (30 s) on SIGTERM: give it longer
# (docker run --stop-timeout 40; compose sets stop_grace_period).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["framewire-server", "--health-probe=127.0.0.1:5005"]
ENTRYPOINT ["framewire-server"]
CMD ["--listen", ":5005", "--out", "/data/out", "--http", ":8080"]
