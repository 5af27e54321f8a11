package onnxnet

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Input is a graph input of an ONNX model as declared in the file:
// its name and its dims, -1 where a dim is symbolic or unknown.
type Input struct {
	Name string
	Dims []int64
}

// ONNX protobuf field numbers (onnx.proto3) used by Inputs.
const (
	fieldModelGraph       = 7  // ModelProto.graph
	fieldGraphInitializer = 5  // GraphProto.initializer
	fieldGraphInput       = 11 // GraphProto.input
	fieldTensorName       = 8  // TensorProto.name
	fieldValueInfoName    = 1  // ValueInfoProto.name
	fieldValueInfoType    = 2  // ValueInfoProto.type
	fieldTypeTensor       = 1  // TypeProto.tensor_type
	fieldTensorTypeShape  = 2  // TypeProto.Tensor.shape
	fieldShapeDim         = 1  // TensorShapeProto.dim
	fieldDimValue         = 1  // Dimension.dim_value
	fieldDimParam         = 2  // Dimension.dim_param
	wireVarint            = protowire.VarintType
	wireBytes             = protowire.BytesType
	notONNX               = "not an ONNX model"
)

// forEachField calls fn for every field of the protobuf message b.
// fn receives the raw bytes of length-delimited fields and the value of
// varint fields.
func forEachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, u uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var (
			v []byte
			u uint64
		)
		switch typ {
		case wireVarint:
			u, n = protowire.ConsumeVarint(b)
		case wireBytes:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, typ, v, u); err != nil {
			return err
		}
	}
	return nil
}

// Inputs returns the real inputs (those that are not initializers) of
// the ONNX model in model, in file order. It fails if model is not a
// well-formed ONNX ModelProto with a graph.
func Inputs(model []byte) ([]Input, error) {
	var graph []byte
	err := forEachField(model, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num == fieldModelGraph && typ == wireBytes {
			graph = v
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", notONNX, err)
	}
	if graph == nil {
		return nil, errors.New(notONNX + ": no graph")
	}
	inits := map[string]bool{}
	var ins []Input
	err = forEachField(graph, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != wireBytes {
			return nil
		}
		switch num {
		case fieldGraphInitializer:
			return forEachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
				if num == fieldTensorName && typ == wireBytes {
					inits[string(v)] = true
				}
				return nil
			})
		case fieldGraphInput:
			in, err := parseValueInfo(v)
			if err != nil {
				return err
			}
			ins = append(ins, in)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", notONNX, err)
	}
	real := ins[:0]
	for _, in := range ins {
		if !inits[in.Name] {
			real = append(real, in)
		}
	}
	if len(real) == 0 {
		return nil, errors.New(notONNX + ": the graph has no inputs")
	}
	return real, nil
}

// parseValueInfo decodes the name and tensor shape of a ValueInfoProto.
func parseValueInfo(b []byte) (Input, error) {
	var in Input
	err := forEachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != wireBytes {
			return nil
		}
		switch num {
		case fieldValueInfoName:
			in.Name = string(v)
		case fieldValueInfoType:
			return forEachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
				if num != fieldTypeTensor || typ != wireBytes {
					return nil
				}
				return forEachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
					if num != fieldTensorTypeShape || typ != wireBytes {
						return nil
					}
					return forEachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
						if num != fieldShapeDim || typ != wireBytes {
							return nil
						}
						d := int64(-1)
						err := forEachField(v, func(num protowire.Number, typ protowire.Type, _ []byte, u uint64) error {
							if num == fieldDimValue && typ == wireVarint && int64(u) > 0 {
								d = int64(u)
							}
							return nil
						})
						in.Dims = append(in.Dims, d)
						return err
					})
				})
			})
		}
		return nil
	})
	return in, err
}
