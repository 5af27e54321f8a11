package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// httpServer serves the metrics and the live view. It owns one goroutine,
// which ends in stop.
type httpServer struct {
	srv    *http.Server
	addr   net.Addr
	cancel context.CancelFunc // ends the requests' contexts (MJPEG responses)
	served chan error
}

// startHTTP serves h on addr ("host:port"; port 0 picks a free one).
func startHTTP(addr string, h http.Handler) (*httpServer, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on --http %s: %w", addr, err)
	}
	base, cancel := context.WithCancel(context.Background())
	s := &httpServer{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return base },
		},
		addr:   lis.Addr(),
		cancel: cancel,
		served: make(chan error, 1),
	}
	go func() { s.served <- s.srv.Serve(lis) }()
	return s, nil
}

// stop ends the live MJPEG responses, then lets the other requests finish
// for up to 5 s. It returns why serving stopped early, if it did.
func (s *httpServer) stop() error {
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.served; !errors.Is(serr, http.ErrServerClosed) {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}
