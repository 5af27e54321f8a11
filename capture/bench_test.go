package capture

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/framewire/framewire/capture/frameenc"
)

// benchmarkNext measures read+resize+encode per frame of vtest.avi, reopening
// the file (outside the timer) when it ends.
func benchmarkNext(b *testing.B, opts Options) {
	path := needVtest(b)
	ctx := context.Background()
	open := func() *frameenc.Source {
		s, err := Open(path, opts)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	s := open()
	defer func() { s.Close() }()
	var bytes int64
	b.ReportAllocs()
	for b.Loop() {
		f, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			b.StopTimer()
			s.Close()
			s = open()
			b.StartTimer()
			f, err = s.Next(ctx)
		}
		if err != nil {
			b.Fatal(err)
		}
		bytes += int64(len(f.Data))
	}
	b.ReportMetric(float64(bytes)/float64(b.N), "jpeg-bytes/op")
}

func BenchmarkNextFile(b *testing.B) { benchmarkNext(b, Options{}) }

func BenchmarkNextFileResize320(b *testing.B) { benchmarkNext(b, Options{Width: 320}) }

// BenchmarkSkipFile measures SkipTo per skipped frame (grab without retrieve).
func BenchmarkSkipFile(b *testing.B) {
	path := needVtest(b)
	var s *frameenc.Source
	defer func() {
		if s != nil {
			s.Close()
		}
	}()
	next := int64(vtestFrames)
	b.ReportAllocs()
	for b.Loop() {
		if next >= vtestFrames-1 {
			b.StopTimer()
			if s != nil {
				s.Close()
			}
			var err error
			if s, err = Open(path, Options{}); err != nil {
				b.Fatal(err)
			}
			next = 0
			b.StartTimer()
		}
		next++
		if err := s.SkipTo(next); err != nil {
			b.Fatal(err)
		}
	}
}
