package kserve

import (
	"errors"
	"fmt"

	inferencepb "github.com/framewire/framewire/proto/inference"
	"github.com/framewire/framewire/server/detect/engine"
)

// remoteEngine is an engine.Engine whose forward pass is a ModelInfer
// call through its Client. It owns its input and output tensors and its
// request; not safe for concurrent use.
type remoteEngine struct {
	c      *Client
	in     engine.Tensor
	req    *inferencepb.ModelInferRequest
	raw    []byte // the input as bytes, reused
	outs   []engine.Tensor
	closed bool
}

var _ engine.Remote = (*Client)(nil)

// NewEngine makes an engine for inputs of shape input, which the model on
// the servers must take (checked against the metadata read at Dial).
func (c *Client) NewEngine(input []int) (engine.Engine, error) {
	if err := c.checkInput(input); err != nil {
		return nil, err
	}
	n, err := elements(toInt64(input))
	if err != nil {
		return nil, fmt.Errorf("kserve: input: %w", err)
	}
	return &remoteEngine{
		c:    c,
		in:   engine.Tensor{Dims: input, Data: make([]float32, n)},
		outs: make([]engine.Tensor, len(c.meta.GetOutputs())),
		raw:  make([]byte, 0, 4*n),
		req:  c.newRequest(input),
	}, nil
}

// newRequest is the request an engine with input dims sends, its raw input
// to be filled in.
func (c *Client) newRequest(input []int) *inferencepb.ModelInferRequest {
	return &inferencepb.ModelInferRequest{
		ModelName: c.cfg.Model, ModelVersion: c.cfg.Version,
		Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: c.meta.GetInputs()[0].GetName(), Datatype: fp32, Shape: toInt64(input),
		}},
		RawInputContents: [][]byte{nil},
	}
}

// Input is the input tensor, filled by the caller before Forward.
func (e *remoteEngine) Input() engine.Tensor { return e.in }

// NumOutputs is the number of outputs in the model's metadata.
func (e *remoteEngine) NumOutputs() int { return len(e.outs) }

// Forward sends the input to an inference server and returns its outputs
// in the metadata's order, matched by name (by position for a server that
// names them otherwise).
func (e *remoteEngine) Forward() ([]engine.Tensor, error) {
	if e.closed {
		return nil, errors.New("kserve: engine is closed")
	}
	e.raw = appendFP32(e.raw[:0], e.in.Data)
	e.req.RawInputContents[0] = e.raw
	resp, err := e.c.Infer(e.req)
	if err != nil {
		return nil, err
	}
	if err := e.readOutputs(resp); err != nil {
		return nil, fmt.Errorf("kserve: model %q: %w", e.c.cfg.Model, err)
	}
	return e.outs, nil
}

// readOutputs decodes resp's outputs into e.outs, reusing their memory.
func (e *remoteEngine) readOutputs(resp *inferencepb.ModelInferResponse) error {
	outs, raw := resp.GetOutputs(), resp.GetRawOutputContents()
	if err := e.checkCounts(len(outs), len(raw)); err != nil {
		return err
	}
	filled := make([]bool, len(e.outs))
	for i, o := range outs {
		k := e.slot(i, o.GetName())
		if filled[k] {
			return fmt.Errorf("output %q comes twice", o.GetName())
		}
		filled[k] = true
		var r []byte
		if len(raw) != 0 {
			r = raw[i]
		}
		if err := e.readOutput(k, o, r); err != nil {
			return fmt.Errorf("output %q: %w", o.GetName(), err)
		}
	}
	return nil
}

// checkCounts fails unless a response has as many outputs as the model
// and raw contents for none or all of them.
func (e *remoteEngine) checkCounts(outs, raw int) error {
	if outs != len(e.outs) {
		return fmt.Errorf("the server returned %d outputs, want %d", outs, len(e.outs))
	}
	if raw != 0 && raw != outs {
		return fmt.Errorf("%d raw_output_contents for %d outputs", raw, outs)
	}
	return nil
}

// slot is where output i of a response, named name, goes: by name, or by
// position for a name the metadata does not have.
func (e *remoteEngine) slot(i int, name string) int {
	if k, ok := e.c.outIndex[name]; ok {
		return k
	}
	return i
}

// readOutput decodes one output into e.outs[k].
func (e *remoteEngine) readOutput(k int, o *inferencepb.ModelInferResponse_InferOutputTensor, raw []byte) error {
	if o.GetDatatype() != fp32 {
		return fmt.Errorf("data type %s, want %s", o.GetDatatype(), fp32)
	}
	n, err := elements(o.GetShape())
	if err != nil {
		return err
	}
	t := &e.outs[k]
	if cap(t.Data) < n {
		t.Data = make([]float32, n)
	}
	t.Data, t.Dims = t.Data[:n], toInt(o.GetShape())
	return tensorValues(t.Data, raw, o.GetContents())
}

// OutputNames are the outputs' names in the metadata, the order of Forward.
func (e *remoteEngine) OutputNames() []string {
	names := make([]string, len(e.c.meta.GetOutputs()))
	for i, o := range e.c.meta.GetOutputs() {
		names[i] = o.GetName()
	}
	return names
}

// Close frees nothing remote; the Client's connections outlive engines.
func (e *remoteEngine) Close() error {
	e.closed = true
	e.in, e.outs = engine.Tensor{}, nil
	return nil
}
