package server

import (
	"errors"
	"fmt"
	"io"

	pb "github.com/framewire/framewire/proto"
)

var errEOF = io.EOF

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func fmtRange(r *pb.SeqRange) string { return fmt.Sprintf("%d-%d", r.Start, r.End) }
