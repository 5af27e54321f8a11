package service

import (
	"context"
	"slices"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/service/meanwh"
)

// ServiceDesc is the ImageProcedure service as pb.ImageProcedure_ServiceDesc
// describes it, except that ImageMeanWH reads its request in place
// (meanwh.Request): no copy of the 700 KB of base64 into a string, no UTF-8
// check of it. The wire is the same; the gRPC server it is registered on
// must force meanwh.Codec (grpc.ForceServerCodecV2), which reads every
// other message as the proto codec does.
func ServiceDesc() *grpc.ServiceDesc {
	desc := pb.ImageProcedure_ServiceDesc
	desc.Methods = slices.Clone(desc.Methods)
	for i, m := range desc.Methods {
		if m.MethodName == "ImageMeanWH" {
			desc.Methods[i].Handler = meanWHInPlace
		}
	}
	return &desc
}

// meanWHInPlace is ImageMeanWH's gRPC handler on a meanwh.Request; the
// interceptors see that request.
func meanWHInPlace(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	req := new(meanwh.Request)
	if err := dec(req); err != nil {
		return nil, err
	}
	defer req.Free()
	if interceptor == nil {
		return meanWHAnswer(req)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: pb.ImageProcedure_ImageMeanWH_FullMethodName}
	return interceptor(ctx, req, info, func(context.Context, any) (any, error) { return meanWHAnswer(req) })
}

// meanWHAnswer is ImageMeanWH's answer to req, as (*Service).ImageMeanWH's.
func meanWHAnswer(req *meanwh.Request) (*pb.Prediction, error) {
	c, m, err := req.Compute()
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &pb.Prediction{Channel: c, Mean: m}, nil
}
