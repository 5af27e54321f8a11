package onnxnet

import (
	"maps"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// entry is a ModelProto.metadata_props field holding key and value.
func entry(b []byte, key, value string) []byte {
	var e []byte
	e = protowire.AppendTag(e, fieldEntryKey, protowire.BytesType)
	e = protowire.AppendString(e, key)
	e = protowire.AppendTag(e, fieldEntryValue, protowire.BytesType)
	e = protowire.AppendString(e, value)
	b = protowire.AppendTag(b, fieldModelMetadata, protowire.BytesType)
	return protowire.AppendBytes(b, e)
}

func TestMetadata(t *testing.T) {
	var model []byte
	model = protowire.AppendTag(model, 1, protowire.VarintType) // ir_version
	model = protowire.AppendVarint(model, 7)
	model = entry(model, "names", "{0: 'person', 1: \"o'clock\"}")
	model = protowire.AppendTag(model, fieldModelGraph, protowire.BytesType)
	model = protowire.AppendBytes(model, []byte{})
	model = entry(model, "stride", "16")
	model = entry(model, "stride", "32") // a later entry wins
	got, err := Metadata(model)
	want := map[string]string{"names": "{0: 'person', 1: \"o'clock\"}", "stride": "32"}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("Metadata = %v, %v; want %v", got, err, want)
	}
	if got, err := Metadata(model[:len(model)-3]); err == nil {
		t.Errorf("a truncated model gave %v, want an error", got)
	}
	if got, err := Metadata(nil); err != nil || len(got) != 0 {
		t.Errorf("no metadata: %v, %v; want an empty map", got, err)
	}
}
