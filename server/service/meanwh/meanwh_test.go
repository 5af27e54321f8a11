package meanwh

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// plainMeanWH is the straightforward implementation Compute must agree
// with: decode the whole image, check its size, sum its bytes.
func plainMeanWH(b64 string, width, height int32) (int32, float32, error) {
	if width <= 0 || height <= 0 {
		return 0, 0, fmt.Errorf("width and height must be positive, got %dx%d", width, height)
	}
	pixels := int64(width) * int64(height)
	if pixels > maxMeanWHPixels {
		return 0, 0, fmt.Errorf("image of %dx%d is above the limit of %d pixels", width, height, maxMeanWHPixels)
	}
	if max := base64.StdEncoding.EncodedLen(int(pixels) * 4); len(b64) > max+4 {
		return 0, 0, fmt.Errorf("%d base64 characters is more than a %dx%d image with 4 channels needs (%d)", len(b64), width, height, max)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return 0, 0, fmt.Errorf("decode base64 image: %w", err)
	}
	n := int64(len(data))
	if n != pixels && n != 3*pixels && n != 4*pixels {
		return 0, 0, fmt.Errorf("%d bytes do not make a %dx%d image: want %d (1 channel), %d (3) or %d (4)",
			n, width, height, pixels, pixels*3, pixels*4)
	}
	var sum uint64
	for _, b := range data {
		sum += uint64(b)
	}
	return int32(n / pixels), float32(float64(sum) / float64(n)), nil
}

// checkSame fails t when Compute and plainMeanWH disagree on the input.
func checkSame(t *testing.T, b64 string, w, h int32) {
	t.Helper()
	gotC, gotM, gotErr := Compute(b64, w, h)
	wantC, wantM, wantErr := plainMeanWH(b64, w, h)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || gotC != wantC || gotM != wantM {
		t.Errorf("Compute(%.40q..., %d, %d) = %d, %v, %v; want %d, %v, %v",
			b64, w, h, gotC, gotM, gotErr, wantC, wantM, wantErr)
	}
	for _, size := range []int{1, 3, 5, 4097, 16384} {
		gotC, gotM, gotErr := ComputeChunks(chunked(b64, size), w, h)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || gotC != wantC || gotM != wantM {
			t.Errorf("ComputeChunks(%.40q... in chunks of %d, %d, %d) = %d, %v, %v; want %d, %v, %v",
				b64, size, w, h, gotC, gotM, gotErr, wantC, wantM, wantErr)
		}
	}
}

// chunked cuts s into chunks of size bytes (the last one shorter), with
// an empty chunk after the first, as a message's buffers may come.
func chunked(s string, size int) [][]byte {
	var out [][]byte
	for len(s) > 0 {
		n := min(size, len(s))
		out = append(out, []byte(s[:n]))
		s = s[n:]
		if len(out) == 1 {
			out = append(out, nil)
		}
	}
	return out
}

// randomBytes returns n bytes from a fixed seed.
func randomBytes(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// withNewlines breaks s into lines of n characters ending in sep, as
// MIME encoders (Python's base64.encodebytes) do.
func withNewlines(s string, n int, sep string) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + sep)
		s = s[n:]
	}
	b.WriteString(s + sep)
	return b.String()
}

func TestMeanWHAgreesWithPlainDecode(t *testing.T) {
	enc := base64.StdEncoding.EncodeToString
	px := randomBytes(416*416*3, 1)
	bright := strings.Repeat("/", base64.StdEncoding.EncodedLen(416*416*4)) // every byte 255: the largest shares
	cases := []struct {
		name string
		b64  string
		w, h int32
	}{
		{"tutorial 416x416x3", enc(px), 416, 416},
		{"4 channels, all 255", bright, 416, 416},
		{"1 channel, padding ==", enc(px[:7*5]), 7, 5},
		{"3 channels, padding =", enc(px[:3*5*3]), 5, 3},
		{"one quad", enc(px[:3]), 1, 1},
		{"1x1 1 channel", enc(px[:1]), 1, 1},
		{"a block and a quad", enc(px[:4096/4*3+3]), 1025, 1},
		{"MIME lines \\n", withNewlines(enc(px[:300*3]), 76, "\n"), 300, 1},
		{"MIME lines \\r\\n", withNewlines(enc(px), 76, "\r\n"), 416, 416},
		{"newline inside the padding", enc(px[:7])[:10] + "=\n=", 7, 1},
		{"trailing bits set, non-strict", "QR==", 1, 1},
		{"wrong size", enc(px[:len(px)-1]), 416, 416},
		{"empty", "", 416, 416},
		{"only newlines", "\n\r\n", 1, 1},
		{"bad character in the first block", "!" + enc(px)[1:], 416, 416},
		{"bad character in the last block", enc(px)[:len(enc(px))-9] + "-" + enc(px)[len(enc(px))-8:], 416, 416},
		{"padding in the middle", enc(px[:1]) + enc(px[:2]), 1, 1},
		{"not a multiple of 4", enc(px[:3]) + "A", 1, 1},
		{"missing padding", strings.TrimRight(enc(px[:4]), "="), 4, 1},
		{"non-ASCII", enc(px[:3])[:3] + "é", 1, 1},
		{"zero width", "AAAA", 0, 1},
		{"too large", "AAAA", 1 << 16, 1 << 16},
		{"too long", enc(px[:100]), 2, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkSame(t, c.b64, c.w, c.h) })
	}
}

func TestMeanWHTutorialMean(t *testing.T) {
	px := randomBytes(416*416*3, 2)
	var sum uint64
	for _, b := range px {
		sum += uint64(b)
	}
	ch, m, err := Compute(base64.StdEncoding.EncodeToString(px), 416, 416)
	if want := float32(float64(sum) / float64(len(px))); err != nil || ch != 3 || m != want {
		t.Errorf("got %d, %v, %v; want 3, %v, nil", ch, m, err, want)
	}
}

func FuzzMeanWH(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6}, int32(2), int32(1), uint8(0), uint16(0))
	f.Add(randomBytes(3*4100, 3), int32(4100), int32(1), uint8(1), uint16(76))
	f.Add([]byte("any"), int32(1), int32(1), uint8(2), uint16(5))
	f.Fuzz(func(t *testing.T, px []byte, w, h int32, how uint8, at uint16) {
		b64 := base64.StdEncoding.EncodeToString(px)
		switch how % 4 {
		case 1: // MIME lines
			if at > 0 {
				b64 = withNewlines(b64, int(at), "\r\n")
			}
		case 2: // raw bytes as the text: mostly invalid base64
			b64 = string(px)
		case 3: // one character replaced by a byte derived from at
			if len(b64) > 0 {
				i := int(at) % len(b64)
				b64 = b64[:i] + string(rune(at>>8)) + b64[i+1:]
			}
		}
		checkSame(t, b64, w, h)
	})
}

// BenchmarkMeanWH is the tutorial's call without gRPC: 416x416x3, 692 KB of
// base64. It allocates nothing.
func BenchmarkMeanWH(b *testing.B) {
	b64 := base64.StdEncoding.EncodeToString(randomBytes(416*416*3, 4))
	b.SetBytes(int64(len(b64)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Compute(b64, 416, 416); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMeanWHChunks is BenchmarkMeanWH on the text as a message of
// 16 KB HTTP/2 frames arrives. It allocates nothing.
func BenchmarkMeanWHChunks(b *testing.B) {
	chunks := chunked(base64.StdEncoding.EncodeToString(randomBytes(416*416*3, 4)), 16384)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ComputeChunks(chunks, 416, 416); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainMeanWH is the same call decoding the whole image first.
func BenchmarkPlainMeanWH(b *testing.B) {
	b64 := base64.StdEncoding.EncodeToString(randomBytes(416*416*3, 4))
	b.SetBytes(int64(len(b64)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := plainMeanWH(b64, 416, 416); err != nil {
			b.Fatal(err)
		}
	}
}

// The tutorial's call over a message's buffers allocates nothing: the
// server's answer costs no garbage whatever the load.
func TestComputeChunksAllocatesNothing(t *testing.T) {
	chunks := chunked(base64.StdEncoding.EncodeToString(randomBytes(416*416*3, 4)), 16384)
	if n := testing.AllocsPerRun(20, func() {
		if _, _, err := ComputeChunks(chunks, 416, 416); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("ComputeChunks allocates %.0f times a call, want 0", n)
	}
}
