package engine

/*
#cgo !windows pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include <stdlib.h>
#include "fwnet.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"gocv.io/x/gocv"
)

// maxOutputDims bounds the rank of an output tensor we accept.
const maxOutputDims = 8

// cvNet is an OpenCV DNN net loaded from ONNX through a small C++ shim that
// turns C++ exceptions into Go errors (gocv v0.31.0's wrappers let a
// cv::Exception abort the process). It owns the net and the output tensors of
// the last forward. Not safe for concurrent use.
type cvNet struct {
	p    C.FWNet
	outs []Tensor
	// Scratch for FWNet_Output, kept here so that a forward allocates
	// nothing on the Go heap (cgo would move locals there).
	dims [maxOutputDims]C.int
	data *C.float
}

// loadONNX parses an ONNX model held in memory. The caller closes the result.
func loadONNX(model []byte) (*cvNet, error) {
	if len(model) == 0 {
		return nil, errors.New("empty model")
	}
	var cerr *C.char
	p := C.FWNet_ReadONNX((*C.char)(unsafe.Pointer(&model[0])), C.size_t(len(model)), &cerr)
	if p == nil {
		msg := "unknown error"
		if cerr != nil {
			msg = C.GoString(cerr)
			C.free(unsafe.Pointer(cerr))
		}
		return nil, fmt.Errorf("OpenCV could not read the ONNX model: %s", msg)
	}
	n := int(C.FWNet_NumOutputs(p))
	return &cvNet{p: p, outs: make([]Tensor, n)}, nil
}

// numOutputs is the number of outputs each forward produces.
func (n *cvNet) numOutputs() int { return len(n.outs) }

// forward runs the net on blob (owned by the caller, which must keep it open
// while the net is in use) fed to the input named in ("" = the first), and
// returns views of all outputs. The views are reused: they stay valid only
// until the next forward or close.
func (n *cvNet) forward(blob gocv.Mat, in string) ([]Tensor, error) {
	if n.p == nil {
		return nil, errors.New("net is closed")
	}
	cin := C.CString(in)
	defer C.free(unsafe.Pointer(cin))
	if cerr := C.FWNet_Forward(n.p, unsafe.Pointer(blob.Ptr()), cin); cerr != nil {
		msg := C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
		return nil, fmt.Errorf("OpenCV forward failed: %s", msg)
	}
	for i := range n.outs {
		nd := int(C.FWNet_Output(n.p, C.int(i), &n.dims[0], maxOutputDims, &n.data))
		if nd < 0 || nd > maxOutputDims || n.data == nil {
			return nil, fmt.Errorf("output %d is not a continuous float32 tensor", i)
		}
		t := &n.outs[i]
		t.Dims = t.Dims[:0]
		total := 1
		for k := 0; k < nd; k++ {
			t.Dims = append(t.Dims, int(n.dims[k]))
			total *= int(n.dims[k])
		}
		t.Data = unsafe.Slice((*float32)(unsafe.Pointer(n.data)), total)
	}
	return n.outs, nil
}

// close frees the net. It is safe to call more than once.
func (n *cvNet) close() {
	if n.p != nil {
		C.FWNet_Close(n.p)
		n.p = nil
	}
	for i := range n.outs {
		n.outs[i].Data = nil
	}
}
