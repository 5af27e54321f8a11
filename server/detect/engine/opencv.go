package engine

/*
#cgo !windows pkg-config: opencv4
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

// openCV is the OpenCV DNN engine: a net and the float Mat it reads its
// input from, which it owns. Not safe for concurrent use.
type openCV struct {
	net  *cvNet
	blob gocv.Mat // the input, CV_32F, the shape given to New
	in   Tensor   // view of blob
}

var _ Engine = (*openCV)(nil)

// newOpenCV loads model into OpenCV and makes the input Mat. An NHWC input
// ([1,S,S,3]) works as is: OpenCV 4.6's importer keeps the model's own
// leading Transpose. On error nothing is left to free.
func newOpenCV(model []byte, input []int) (*openCV, error) {
	net, err := loadONNX(model)
	if err != nil {
		return nil, err
	}
	e := &openCV{net: net, blob: gocv.NewMatWithSizes(input, gocv.MatTypeCV32F)}
	data, err := e.blob.DataPtrFloat32()
	if err != nil || len(data) != elements(input) {
		e.Close()
		return nil, fmt.Errorf("engine: OpenCV input Mat %v: %d values, %w", input, len(data), err)
	}
	e.in = Tensor{Dims: input, Data: data}
	return e, nil
}

// Input is the input Mat's data.
func (e *openCV) Input() Tensor { return e.in }

// NumOutputs is the number of unconnected outputs of the net.
func (e *openCV) NumOutputs() int { return e.net.numOutputs() }

// Forward runs the net on the input Mat.
func (e *openCV) Forward() ([]Tensor, error) {
	if e.net.p == nil {
		return nil, errors.New("engine: OpenCV engine is closed")
	}
	return e.net.forward(e.blob, "")
}

// Close frees the net and the input Mat.
func (e *openCV) Close() error {
	if e.net.p == nil {
		return nil
	}
	e.net.close()
	e.in = Tensor{}
	if err := e.blob.Close(); err != nil {
		return fmt.Errorf("engine: closing the OpenCV input Mat: %w", err)
	}
	return nil
}

// SetOpenCVThreads sets how many threads OpenCV may use inside one call,
// for the whole process (cv::setNumThreads); n <= 0 restores OpenCV's
// default (one per CPU).
func SetOpenCVThreads(n int) error {
	if n <= 0 {
		n = -1
	}
	if cerr := C.FWNet_SetNumThreads(C.int(n)); cerr != nil {
		msg := C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
		return fmt.Errorf("engine: set OpenCV threads to %d: %s", n, msg)
	}
	return nil
}

// OpenCVThreads returns the number of threads OpenCV uses inside one call.
func OpenCVThreads() int {
	return int(C.FWNet_GetNumThreads())
}
