package onnxnet

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// ONNX protobuf field numbers (onnx.proto3) used by Metadata.
const (
	fieldModelMetadata = 14 // ModelProto.metadata_props
	fieldEntryKey      = 1  // StringStringEntryProto.key
	fieldEntryValue    = 2  // StringStringEntryProto.value
)

// Metadata returns the metadata_props of the ONNX model in model (the
// key-value pairs exporters write, e.g. Ultralytics' "names" and
// "imgsz"); an empty map when it has none. A later entry with the same key
// wins. It fails only if model is not well-formed protobuf.
func Metadata(model []byte) (map[string]string, error) {
	md := map[string]string{}
	err := forEachField(model, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num != fieldModelMetadata || typ != wireBytes {
			return nil
		}
		k, val, err := metadataEntry(v)
		if err == nil {
			md[k] = val
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", notONNX, err)
	}
	return md, nil
}

// metadataEntry decodes a StringStringEntryProto.
func metadataEntry(b []byte) (key, value string, err error) {
	err = forEachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch {
		case typ != wireBytes:
		case num == fieldEntryKey:
			key = string(v)
		case num == fieldEntryValue:
			value = string(v)
		}
		return nil
	})
	return key, value, err
}
