# framewire: server and capture client on Debian 12 with Debian's OpenCV 4.6.
# Build stage: Go toolchain on Debian 12 (bookworm) plus libopencv-dev.
FROM golang:1.26-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopencv-dev pkg-config npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -o /out/bin/ ./cmd/framewire-server ./cmd/framewire-capture \
 && FRAMEWIRE_MODELS=/out/models bash scripts/install-models.sh

# Run stage: only the OpenCV runtime libraries the binaries link, GStreamer
# for pipelines and cameras, and an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libopencv-core406 libopencv-dnn406 libopencv-imgcodecs406 libopencv-imgproc406 \
      libopencv-videoio406 libopencv-video406 libopencv-highgui406 libopencv-objdetect406 \
      libopencv-photo406 libopencv-calib3d406 libopencv-features2d406 libopencv-flann406 \
      gstreamer1.0-plugins-base gstreamer1.0-plugins-good ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --gid nogroup --groups video --no-create-home framewire \
 && mkdir -p /data/out && chown framewire:nogroup /data/out
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build /out/models/ /usr/local/share/framewire/models/
USER framewire
WORKDIR /data
EXPOSE 5005 8080
ENTRYPOINT ["framewire-server"]
CMD ["--listen", ":5005", "--out", "/data/out", "--http", ":8080"]
