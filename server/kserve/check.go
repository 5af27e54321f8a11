package kserve

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"google.golang.org/protobuf/proto"

	inferencepb "github.com/framewire/framewire/proto/inference"
)

// errMismatch marks metadata that cannot work with the model code: a
// start-up error whatever the other servers say.
var errMismatch = errors.New("model does not fit")

// check asks every server whether it and the model are ready and for the
// model's metadata (see Dial).
func (c *Client) check(ctx context.Context) error {
	for _, b := range c.backends {
		if err := c.checkOne(ctx, b); err != nil {
			return err
		}
	}
	if c.meta == nil {
		return fmt.Errorf("kserve: no inference server is ready with model %q: %w", c.cfg.Model, errors.Join(c.unready...))
	}
	c.indexOutputs()
	return nil
}

// checkOne checks b: a server not ready is noted in c.unready, the first
// ready one's metadata becomes c.meta and the others' must match it.
func (c *Client) checkOne(ctx context.Context, b *backend) error {
	meta, err := c.checkBackend(ctx, b)
	switch {
	case errors.Is(err, errMismatch):
		return err
	case err != nil:
		c.unready = append(c.unready, err)
	case c.meta == nil:
		c.meta, c.metaFrom = meta, b.addr
	case !sameTensors(c.meta, meta):
		return fmt.Errorf("kserve: %s and %s describe model %q differently: %w", c.metaFrom, b.addr, c.cfg.Model, errMismatch)
	}
	return nil
}

// indexOutputs numbers the model's outputs by name.
func (c *Client) indexOutputs() {
	c.outIndex = make(map[string]int, len(c.meta.GetOutputs()))
	for i, o := range c.meta.GetOutputs() {
		c.outIndex[o.GetName()] = i
	}
}

// checkBackend asks b for ServerReady, ModelReady and ModelMetadata, each
// within the request timeout, and checks the metadata.
func (c *Client) checkBackend(ctx context.Context, b *backend) (*inferencepb.ModelMetadataResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	if err := c.checkReady(ctx, b); err != nil {
		return nil, err
	}
	meta, err := b.rpc.ModelMetadata(ctx, &inferencepb.ModelMetadataRequest{Name: c.cfg.Model, Version: c.cfg.Version})
	if err != nil {
		return nil, fmt.Errorf("%s: ModelMetadata %q: %w", b.addr, c.cfg.Model, err)
	}
	if err := checkMetadata(meta); err != nil {
		return nil, fmt.Errorf("kserve: %s: model %q: %w", b.addr, c.cfg.Model, err)
	}
	return meta, nil
}

// checkReady fails unless b's server and its model are ready.
func (c *Client) checkReady(ctx context.Context, b *backend) error {
	sr, err := b.rpc.ServerReady(ctx, &inferencepb.ServerReadyRequest{})
	if err != nil {
		return fmt.Errorf("%s: ServerReady: %w", b.addr, err)
	}
	if !sr.GetReady() {
		return fmt.Errorf("%s: the server is not ready", b.addr)
	}
	mr, err := b.rpc.ModelReady(ctx, &inferencepb.ModelReadyRequest{Name: c.cfg.Model, Version: c.cfg.Version})
	if err != nil {
		return fmt.Errorf("%s: ModelReady %q: %w", b.addr, c.cfg.Model, err)
	}
	if !mr.GetReady() {
		return fmt.Errorf("%s: model %q (version %q) is not ready", b.addr, c.cfg.Model, c.cfg.Version)
	}
	return nil
}

// checkMetadata refuses a model framewire cannot feed: it needs one FP32
// input and FP32 outputs with distinct names.
func checkMetadata(m *inferencepb.ModelMetadataResponse) error {
	if len(m.GetInputs()) != 1 || len(m.GetOutputs()) == 0 {
		return fmt.Errorf("%d inputs and %d outputs, want 1 input and at least one output: %w", len(m.GetInputs()), len(m.GetOutputs()), errMismatch)
	}
	return checkTensors(append(slices.Clone(m.GetInputs()), m.GetOutputs()...))
}

// checkTensors fails unless every tensor of ts is FP32 and has a name of
// its own.
func checkTensors(ts []*inferencepb.ModelMetadataResponse_TensorMetadata) error {
	seen := map[string]bool{}
	for _, t := range ts {
		if t.GetDatatype() != fp32 {
			return fmt.Errorf("tensor %q is %s, want %s: %w", t.GetName(), t.GetDatatype(), fp32, errMismatch)
		}
		if seen[t.GetName()] {
			return fmt.Errorf("two tensors are named %q: %w", t.GetName(), errMismatch)
		}
		seen[t.GetName()] = true
	}
	return nil
}

// sameTensors reports whether two servers describe the same inputs and
// outputs.
func sameTensors(a, b *inferencepb.ModelMetadataResponse) bool {
	eq := func(x, y []*inferencepb.ModelMetadataResponse_TensorMetadata) bool {
		return slices.EqualFunc(x, y, func(s, t *inferencepb.ModelMetadataResponse_TensorMetadata) bool { return proto.Equal(s, t) })
	}
	return eq(a.GetInputs(), b.GetInputs()) && eq(a.GetOutputs(), b.GetOutputs())
}

// checkInput reports whether the model takes input of shape dims.
func (c *Client) checkInput(dims []int) error {
	in := c.meta.GetInputs()[0]
	if !shapeFits(in.GetShape(), dims) {
		return fmt.Errorf("kserve: model %q on the inference servers takes input %q of shape %v, but the model code here feeds %v (another model, or another input size?): %w",
			c.cfg.Model, in.GetName(), in.GetShape(), dims, errMismatch)
	}
	return nil
}
