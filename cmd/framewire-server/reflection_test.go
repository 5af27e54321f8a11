package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// TestReflectionListsServicesAndMethods asks a running server what it
// serves, as grpcurl does.
func TestReflectionListsServicesAndMethods(t *testing.T) {
	r := startRun(t, "--model", "mean")
	conn, err := grpc.NewClient(r.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	call, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ask := func(req *rpb.ServerReflectionRequest) *rpb.ServerReflectionResponse {
		t.Helper()
		if err := call.Send(req); err != nil {
			t.Fatal(err)
		}
		resp, err := call.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if e := resp.GetErrorResponse(); e != nil {
			t.Fatalf("reflection error: %v", e)
		}
		return resp
	}

	var services []string
	for _, s := range ask(&rpb.ServerReflectionRequest{
		MessageRequest: &rpb.ServerReflectionRequest_ListServices{},
	}).GetListServicesResponse().GetService() {
		services = append(services, s.GetName())
	}
	for _, want := range []string{"ImageProcedure", "grpc.health.v1.Health"} {
		if !slices.Contains(services, want) {
			t.Errorf("services %v lack %s", services, want)
		}
	}

	// The file that defines ImageProcedure names its methods.
	resp := ask(&rpb.ServerReflectionRequest{
		MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: "ImageProcedure"},
	})
	var methods []string
	for _, raw := range resp.GetFileDescriptorResponse().GetFileDescriptorProto() {
		var fd descriptorpb.FileDescriptorProto
		if err := proto.Unmarshal(raw, &fd); err != nil {
			t.Fatal(err)
		}
		for _, s := range fd.GetService() {
			if s.GetName() != "ImageProcedure" {
				continue
			}
			for _, m := range s.GetMethod() {
				methods = append(methods, m.GetName())
				if m.GetName() == "StreamFrames" && !(m.GetClientStreaming() && m.GetServerStreaming()) {
					t.Errorf("StreamFrames is not bidirectional: %v", m)
				}
			}
		}
	}
	for _, want := range []string{"ImageMeanWH", "StreamFrames", "DetectFrame"} {
		if !slices.Contains(methods, want) {
			t.Errorf("ImageProcedure's methods %v lack %s", methods, want)
		}
	}
	t.Logf("services %v; ImageProcedure methods %v", services, methods)
}
