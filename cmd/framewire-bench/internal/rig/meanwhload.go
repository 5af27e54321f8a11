package rig

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"

	"math"

	pb "github.com/framewire/framewire/proto"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// MeanWHSide is the tutorial's workload: 416x416x3 random bytes.
const MeanWHSide = 416

// meanWHMethod is the tutorial's RPC, as both servers serve it.
const meanWHMethod = "/ImageProcedure/ImageMeanWH"

// RawCodec sends a request marshalled beforehand as it is and keeps the
// reply's bytes, so that the load client spends the same little work on
// every call whichever server answers.
type RawCodec struct{}

func (RawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return *b, nil
}

func (RawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (RawCodec) Name() string { return "proto" }

// MeanWHLoad is the tutorial's request marshalled once, and its answer.
type MeanWHLoad struct {
	req      []byte
	channels int32
	mean     float32
}

// NewMeanWHLoad makes a random 416x416x3 frame's request.
func NewMeanWHLoad() (*MeanWHLoad, error) {
	px := make([]byte, MeanWHSide*MeanWHSide*3)
	rng := rand.New(rand.NewPCG(3, 4))
	var sum uint64
	for i := range px {
		px[i] = byte(rng.Uint32())
		sum += uint64(px[i])
	}
	req, err := proto.Marshal(&pb.B64Image{B64Image: base64.StdEncoding.EncodeToString(px), Width: MeanWHSide, Height: MeanWHSide})
	if err != nil {
		return nil, fmt.Errorf("marshal the request: %w", err)
	}
	return &MeanWHLoad{req: req, channels: 3, mean: float32(float64(sum) / float64(len(px)))}, nil
}

// Caller returns one load goroutine's call on conn: the pre-marshalled
// request, the reply checked against the true answer.
func (l *MeanWHLoad) Caller(conn *grpc.ClientConn) func(context.Context) error {
	var reply []byte
	var p pb.Prediction
	return func(ctx context.Context) error {
		if err := conn.Invoke(ctx, meanWHMethod, &l.req, &reply, grpc.ForceCodec(RawCodec{})); err != nil {
			return fmt.Errorf("ImageMeanWH: %w", err)
		}
		if err := proto.Unmarshal(reply, &p); err != nil {
			return fmt.Errorf("ImageMeanWH reply: %w", err)
		}
		if p.Channel != l.channels || math.Abs(float64(p.Mean-l.mean)) > 1e-3 {
			return fmt.Errorf("ImageMeanWH = %d, %v; want %d, %v", p.Channel, p.Mean, l.channels, l.mean)
		}
		return nil
	}
}
