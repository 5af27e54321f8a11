package capturecmd

import (
	"net"
	"net/netip"
	"strings"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/capture/frameenc"
	pb "github.com/framewire/framewire/proto"
)

// The values of --encoding.
const (
	encodingAuto = "auto"
	encodingJPEG = "jpeg"
	encodingRaw  = "raw"
)

func validEncoding(e string) bool {
	return e == encodingAuto || e == encodingJPEG || e == encodingRaw
}

// captureOptions are the options the source encodes and paces frames by.
// On this machine JPEG costs CPU at both ends and saves nothing, so auto
// sends raw pixels to a local server, up to half the largest message.
func captureOptions(o *options) capture.Options {
	c := capture.Options{Quality: o.quality, Width: o.width, Height: o.height, MaxFPS: o.maxFPS}
	switch {
	case o.encoding == encodingRaw:
		c.Raw, c.MaxRawBytes = true, o.maxMsgMB<<20-messageMargin
	case o.encoding == encodingAuto && isLocal(o.server):
		c.Raw, c.MaxRawBytes = true, o.maxMsgMB<<20/2
	}
	return c
}

// isLocal says whether every address of a --server value is on this
// machine: a loopback or unspecified address (0.0.0.0, [::], as servers
// log them), localhost, an empty host (":5005") or a unix socket. Names
// are not resolved: a host name counts as remote.
func isLocal(server string) bool {
	if strings.HasPrefix(server, "unix:") || strings.HasPrefix(server, "unix-abstract:") {
		return true
	}
	if i := strings.Index(server, "://"); i >= 0 {
		server = server[i+3:]
		server = server[strings.Index(server, "/")+1:] // drop the authority
	}
	for _, addr := range strings.Split(server, ",") {
		if !isLocalAddr(strings.TrimSpace(addr)) {
			return false
		}
	}
	return true
}

// isLocalAddr says whether host:port names this machine.
func isLocalAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "" || strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// messageMargin is what a Frame message needs beside its pixels, and more.
const messageMargin = 64 << 10

// limitRaw keeps src's raw frames within the largest message the server
// takes, when it says: a larger frame goes as JPEG. Frames encoded before
// (in flight when a call broke, resent to a server that takes less) are
// not encoded again.
func limitRaw(src *frameenc.Source, ready *pb.StreamReady) {
	if max := ready.GetMaxMessageBytes(); max > messageMargin {
		src.LimitRaw(int(max - messageMargin))
	}
}

// defaultSlotBytes is the shared memory slot asked for when the source
// does not say its frame size: a 1920x1080 raw frame fits.
const defaultSlotBytes = 8 << 20

// sharedSlotBytes is the slot a stream asks a server on this machine to
// share memory in (--shared-memory): room for one raw frame of the
// source, rounded up to 64 KiB; 0 (no shared memory) for a remote
// server or without --shared-memory. A larger frame goes in its message.
func sharedSlotBytes(o *options, info capture.Info) int64 {
	if !o.sharedMemory || !isLocal(o.server) {
		return 0
	}
	n := int64(info.Width) * int64(info.Height) * 3
	if n <= 0 {
		return defaultSlotBytes
	}
	const unit = 64 << 10
	return (n + unit - 1) / unit * unit
}
