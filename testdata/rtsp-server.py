#!/usr/bin/env python3
"""A small live RTSP camera for tests: serves an H.264 test pattern,
320x240 unless WIDTH and HEIGHT say, at rtsp://127.0.0.1:PORT/cam until it
is killed.

Usage: rtsp-server.py PORT [WIDTH HEIGHT]
Prints "ready" on stdout once it listens. Needs python3-gi,
gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-base (videotestsrc) and
gstreamer1.0-plugins-ugly (x264enc)."""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

PIPELINE = (
    "( videotestsrc is-live=true pattern=ball "
    "! video/x-raw,width={width},height={height},framerate=25/1 "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 "
    "! rtph264pay name=pay0 pt=96 config-interval=1 )"
)


def main():
    width, height = sys.argv[2:4] if len(sys.argv) >= 4 else ("320", "240")
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(sys.argv[1])
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE.format(width=int(width), height=int(height)))
    factory.set_shared(True)
    server.get_mount_points().add_factory("/cam", factory)
    if server.attach(None) == 0:
        sys.exit("rtsp-server: cannot listen on port " + sys.argv[1])
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
