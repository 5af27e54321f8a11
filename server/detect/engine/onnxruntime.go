package engine

import (
	"errors"
	"fmt"

	ort "github.com/yalue/onnxruntime_go"
)

// onnxRuntime is the ONNX Runtime engine: one session with its own
// intra-op thread pool, the input tensor and the output tensors, all in Go
// memory that the session reads and writes in place through an I/O binding,
// so a Forward allocates nothing. Not safe for concurrent use.
type onnxRuntime struct {
	session *ort.DynamicAdvancedSession
	binding *ort.IoBinding
	input   *ort.Tensor[float32]
	outputs []ort.Value
	in      Tensor
	outs    []Tensor // views of outputs
	names   []string // of outputs
}

var _ Engine = (*onnxRuntime)(nil)

// newORT loads ONNX Runtime (once per process), makes a session for model
// with o.Threads intra-op threads, and runs it once on a zero input to learn
// the output shapes and allocate the outputs. On error nothing is left to
// free.
func newORT(model []byte, input []int, o Options) (_ *onnxRuntime, err error) {
	if _, err := LoadONNXRuntime(o.ONNXRuntimeLib); err != nil {
		return nil, err
	}
	inName, outNames, err := ortNames(model)
	if err != nil {
		return nil, err
	}
	e := &onnxRuntime{names: outNames}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Close())
		}
	}()
	if e.session, err = ortSession(model, inName, outNames, max(1, o.Threads)); err != nil {
		return nil, err
	}
	if err = e.makeInput(input); err != nil {
		return nil, err
	}
	if err = e.firstRun(len(outNames)); err != nil {
		return nil, err
	}
	if err = e.bind(inName, outNames); err != nil {
		return nil, err
	}
	return e, nil
}

// ortNames reads the names of model's first input and of all its outputs.
func ortNames(model []byte) (string, []string, error) {
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(model)
	if err != nil {
		return "", nil, fmt.Errorf("ONNX Runtime could not read the ONNX model: %w", err)
	}
	if len(ins) == 0 || len(outs) == 0 {
		return "", nil, fmt.Errorf("ONNX Runtime found %d inputs and %d outputs in the model, want at least one of each", len(ins), len(outs))
	}
	names := make([]string, len(outs))
	for i, o := range outs {
		names[i] = o.Name
	}
	return ins[0].Name, names, nil
}

// ortSession makes a session running on threads intra-op threads (the
// calling thread included) and no inter-op parallelism.
func ortSession(model []byte, in string, outs []string, threads int) (*ort.DynamicAdvancedSession, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("ONNX Runtime session options: %w", err)
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(threads); err != nil {
		return nil, fmt.Errorf("ONNX Runtime: set %d intra-op threads: %w", threads, err)
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("ONNX Runtime: set 1 inter-op thread: %w", err)
	}
	if threads > 1 {
		// Idle pool threads sleep instead of spinning: they share the cores
		// with the other workers and the rest of the pipeline
		// (BenchmarkWorkers: 1x2 and 2x2 lost 20-40% to spinning).
		if err := opts.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
			return nil, fmt.Errorf("ONNX Runtime: turn spinning off: %w", err)
		}
	}
	if err := opts.SetLogSeverityLevel(ort.LoggingLevel(ort.LoggingLevelError)); err != nil {
		return nil, fmt.Errorf("ONNX Runtime: set the log level: %w", err)
	}
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(model, []string{in}, outs, opts)
	if err != nil {
		return nil, fmt.Errorf("ONNX Runtime could not load the model: %w", err)
	}
	return s, nil
}

// makeInput allocates the input tensor in Go memory.
func (e *onnxRuntime) makeInput(input []int) error {
	t, err := ort.NewTensor(toShape(input), make([]float32, elements(input)))
	if err != nil {
		return fmt.Errorf("ONNX Runtime input tensor %v: %w", input, err)
	}
	e.input = t
	e.in = Tensor{Dims: input, Data: t.GetData()}
	return nil
}

// toShape is dims as an ONNX Runtime shape.
func toShape(dims []int) ort.Shape {
	shape := make(ort.Shape, len(dims))
	for i, d := range dims {
		shape[i] = int64(d)
	}
	return shape
}

// firstRun runs the session on the zero input, letting ONNX Runtime
// allocate the n outputs (copied into Go memory), and makes their views.
func (e *onnxRuntime) firstRun(n int) error {
	e.outputs = make([]ort.Value, n)
	if err := e.session.Run([]ort.Value{e.input}, e.outputs); err != nil {
		return fmt.Errorf("ONNX Runtime forward on a zero input %v: %w", e.in.Dims, err)
	}
	e.outs = make([]Tensor, n)
	for i, v := range e.outputs {
		t, ok := v.(*ort.Tensor[float32])
		if !ok {
			return fmt.Errorf("output %d is a %T, want a float32 tensor", i, v)
		}
		e.outs[i] = Tensor{Dims: fromShape(t.GetShape()), Data: t.GetData()}
	}
	return nil
}

// fromShape is an ONNX Runtime shape as dims.
func fromShape(shape ort.Shape) []int {
	dims := make([]int, len(shape))
	for k, d := range shape {
		dims[k] = int(d)
	}
	return dims
}

// bind makes the I/O binding that lets every later Forward read the input
// and write the outputs in place.
func (e *onnxRuntime) bind(in string, outs []string) error {
	b, err := e.session.CreateIoBinding()
	if err != nil {
		return fmt.Errorf("ONNX Runtime I/O binding: %w", err)
	}
	e.binding = b
	if err := b.BindInput(in, e.input); err != nil {
		return fmt.Errorf("ONNX Runtime: bind input %q: %w", in, err)
	}
	return e.bindOutputs(outs)
}

// bindOutputs binds the output tensors to the outputs named outs.
func (e *onnxRuntime) bindOutputs(outs []string) error {
	for i, name := range outs {
		if err := e.binding.BindOutput(name, e.outputs[i]); err != nil {
			return fmt.Errorf("ONNX Runtime: bind output %q: %w", name, err)
		}
	}
	return nil
}

// Input is the input tensor's data.
func (e *onnxRuntime) Input() Tensor { return e.in }

// NumOutputs is the number of outputs of the model.
func (e *onnxRuntime) NumOutputs() int { return len(e.outs) }

// Forward runs the session on the input; the outputs are written in place.
func (e *onnxRuntime) Forward() ([]Tensor, error) {
	if e.binding == nil {
		return nil, errors.New("engine: ONNX Runtime engine is closed")
	}
	if err := e.session.RunWithBinding(e.binding); err != nil {
		return nil, fmt.Errorf("ONNX Runtime forward failed: %w", err)
	}
	return e.outs, nil
}

// Close frees the binding, the session and the tensors, whichever exist.
func (e *onnxRuntime) Close() error {
	errs := append(e.destroySession(), e.destroyTensors()...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("engine: closing ONNX Runtime: %w", err)
	}
	return nil
}

// destroySession frees the I/O binding and the session.
func (e *onnxRuntime) destroySession() []error {
	var errs []error
	if e.binding != nil {
		errs = append(errs, e.binding.Destroy())
		e.binding = nil
	}
	if e.session != nil {
		errs = append(errs, e.session.Destroy())
		e.session = nil
	}
	return errs
}

// destroyTensors frees the output and input tensors.
func (e *onnxRuntime) destroyTensors() []error {
	var errs []error
	for _, v := range e.outputs {
		if v != nil {
			errs = append(errs, v.Destroy())
		}
	}
	e.outputs, e.outs = nil, nil
	if e.input != nil {
		errs = append(errs, e.input.Destroy())
		e.input = nil
	}
	e.in = Tensor{}
	return errs
}
