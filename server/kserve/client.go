package kserve

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	inferencepb "github.com/framewire/framewire/proto/inference"
)

// DefaultTimeout is the deadline of one request when Config.Timeout is 0.
const DefaultTimeout = 2 * time.Second

// DefaultDownFor is how long a server that failed a request is skipped
// (unless every server is) when Config.DownFor is 0.
const DefaultDownFor = time.Second

// Config says where the inference servers are and how to call them.
type Config struct {
	// Addrs are the servers, host:port each.
	Addrs []string
	// Model and Version name the model on them ("" version = the server's
	// choice).
	Model, Version string
	// Timeout is the deadline of one request, retries on other servers
	// included (0 = DefaultTimeout).
	Timeout time.Duration
	// DownFor is how long a server that failed a request is skipped,
	// unless every server is (0 = DefaultDownFor).
	DownFor time.Duration
	// Dial connects to the servers (TLS, token, message limits); nil =
	// plaintext with gRPC's defaults. The tests pass in-process ones.
	Dial func(addr string) (*grpc.ClientConn, error)
}

// Client calls a model on several inference servers. It is an
// engine.Remote; its engines share its connections. Safe for concurrent
// use; Close it after its engines.
type Client struct {
	cfg      Config
	backends []*backend
	next     atomic.Uint64
	meta     *inferencepb.ModelMetadataResponse
	metaFrom string         // the server meta came from
	outIndex map[string]int // output name -> position in meta.Outputs
	unready  []error
	// ctx ends at Close, cutting the requests still running.
	ctx    context.Context
	cancel context.CancelFunc
}

// backend is one inference server.
type backend struct {
	addr      string
	conn      *grpc.ClientConn
	rpc       inferencepb.GRPCInferenceServiceClient
	downUntil atomic.Int64 // unix nanoseconds; skipped before that
}

// Dial connects to every server of cfg and checks, within ctx, that at
// least one is ready with the model and that all those that answer agree
// on its inputs and outputs; Unready names those that did not answer.
// The caller owns the Client and must Close it.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	if len(cfg.Addrs) == 0 || cfg.Model == "" {
		return nil, errors.New("kserve: no inference server or no model name given")
	}
	c := &Client{cfg: cfg.withDefaults()}
	c.ctx, c.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := c.connect(); err != nil {
		return nil, errors.Join(err, c.Close())
	}
	if err := c.check(ctx); err != nil {
		return nil, errors.Join(err, c.Close())
	}
	return c, nil
}

// withDefaults is cfg with DefaultDownFor, DefaultTimeout and plain
// connections unless set.
func (cfg Config) withDefaults() Config {
	if cfg.DownFor <= 0 {
		cfg.DownFor = DefaultDownFor
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Dial == nil {
		cfg.Dial = dialPlain
	}
	return cfg
}

// connect opens a connection to every server address.
func (c *Client) connect() error {
	for _, addr := range c.cfg.Addrs {
		conn, err := c.cfg.Dial(addr)
		if err != nil {
			return fmt.Errorf("kserve: %w", err)
		}
		c.backends = append(c.backends, &backend{addr: addr, conn: conn, rpc: inferencepb.NewGRPCInferenceServiceClient(conn)})
	}
	return nil
}

// Unready lists why servers were not ready at Dial; they stay in the
// rotation and are tried again.
func (c *Client) Unready() []error { return c.unready }

// Metadata is the model's metadata as the servers described it at Dial.
func (c *Client) Metadata() *inferencepb.ModelMetadataResponse { return c.meta }

// Close cuts running requests and closes the connections.
func (c *Client) Close() error {
	c.cancel()
	var errs []error
	for _, b := range c.backends {
		if err := b.conn.Close(); err != nil {
			errs = append(errs, fmt.Errorf("kserve: close connection to %s: %w", b.addr, err))
		}
	}
	return errors.Join(errs...)
}

// Infer runs req on one server, round-robin, and on the next ones in turn
// while they fail, within the request's deadline. It fails only when every
// server failed, or for a request the servers call invalid.
func (c *Client) Infer(req *inferencepb.ModelInferRequest) (*inferencepb.ModelInferResponse, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.Timeout)
	defer cancel()
	order := c.order(time.Now())
	var errs []error
	for i, b := range order {
		resp, err := b.infer(ctx, req, len(order)-i)
		if err == nil {
			b.downUntil.Store(0)
			return resp, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", b.addr, err))
		if final(ctx, err) {
			break
		}
		b.downUntil.Store(time.Now().Add(c.cfg.DownFor).UnixNano())
	}
	return nil, fmt.Errorf("kserve: model %q: no inference server answered (%s): %w",
		c.cfg.Model, strings.Join(c.cfg.Addrs, ","), errors.Join(errs...))
}

// final says whether a request that failed with err may not go to another
// server: it is bad, or its time is up.
func final(ctx context.Context, err error) bool {
	return status.Code(err) == codes.InvalidArgument || ctx.Err() != nil
}

// order is every server once, starting with the next one round-robin,
// those skipped after a recent failure last.
func (c *Client) order(now time.Time) []*backend {
	n := len(c.backends)
	start := int(c.next.Add(1) % uint64(n))
	up := make([]*backend, 0, n)
	var down []*backend
	for i := range n {
		if b := c.backends[(start+i)%n]; b.isDown(now) {
			down = append(down, b)
		} else {
			up = append(up, b)
		}
	}
	return append(up, down...)
}

// isDown says whether b failed recently enough, at now, to be tried last.
func (b *backend) isDown(now time.Time) bool { return b.downUntil.Load() > now.UnixNano() }

// infer is one attempt: it gets an equal share of what is left of ctx's
// deadline with the left attempts, so that a server that stops answering
// leaves time to try the others.
func (b *backend) infer(ctx context.Context, req *inferencepb.ModelInferRequest, left int) (*inferencepb.ModelInferResponse, error) {
	if dl, ok := ctx.Deadline(); ok && left > 1 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Until(dl)/time.Duration(left))
		defer cancel()
	}
	return b.rpc.ModelInfer(ctx, req)
}

// dialPlain connects without TLS or token.
func dialPlain(addr string) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
}
