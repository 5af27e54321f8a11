package inferencepb

import (
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// A request and a response survive a marshal round trip, and the fields
// other implementations read by number sit at the published numbers.
func TestInferRoundTrip(t *testing.T) {
	req := &ModelInferRequest{
		ModelName: "nanodet", ModelVersion: "1", Id: "frame-7",
		Parameters:       map[string]*InferParameter{"priority": {ParameterChoice: &InferParameter_Int64Param{Int64Param: 3}}},
		Inputs:           []*ModelInferRequest_InferInputTensor{{Name: "data", Datatype: "FP32", Shape: []int64{1, 3, 320, 320}}},
		Outputs:          []*ModelInferRequest_InferRequestedOutputTensor{{Name: "cls_pred_stride_8"}},
		RawInputContents: [][]byte{{0, 0, 128, 63}},
	}
	b, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var got ModelInferRequest
	if err := proto.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(&got, req) {
		t.Errorf("request after a round trip:\ngot  %v\nwant %v", &got, req)
	}
	if n := lastFieldNumber(t, proto.Marshal, &ModelInferRequest{RawInputContents: [][]byte{{1}}}); n != 7 {
		t.Errorf("raw_input_contents is field %d, want 7", n)
	}
	resp := &ModelInferResponse{
		ModelName: "nanodet",
		Outputs: []*ModelInferResponse_InferOutputTensor{{Name: "out", Datatype: "FP32", Shape: []int64{1, 2},
			Contents: &InferTensorContents{Fp32Contents: []float32{0.5, -1}}}},
	}
	b, err = proto.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var gotResp ModelInferResponse
	if err := proto.Unmarshal(b, &gotResp); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(&gotResp, resp) {
		t.Errorf("response after a round trip:\ngot  %v\nwant %v", &gotResp, resp)
	}
	if n := lastFieldNumber(t, proto.Marshal, &ModelInferResponse{RawOutputContents: [][]byte{{1}}}); n != 6 {
		t.Errorf("raw_output_contents is field %d, want 6", n)
	}
}

// lastFieldNumber marshals m and returns the number of its only field.
func lastFieldNumber(t *testing.T, marshal func(proto.Message) ([]byte, error), m proto.Message) protowire.Number {
	t.Helper()
	b, err := marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	num, _, n := protowire.ConsumeTag(b)
	if n < 0 {
		t.Fatalf("bad tag in %x", b)
	}
	return num
}

// The service's full method names are the protocol's.
func TestServiceName(t *testing.T) {
	if got, want := GRPCInferenceService_ModelInfer_FullMethodName, "/inference.GRPCInferenceService/ModelInfer"; got != want {
		t.Errorf("ModelInfer is %q, want %q", got, want)
	}
}
