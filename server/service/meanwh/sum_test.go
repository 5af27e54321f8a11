package meanwh

import (
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// validQuads is n random characters of the alphabet.
func validQuads(r *rand.Rand, n int) []byte {
	q := make([]byte, n)
	for i := range q {
		q[i] = b64Alphabet[r.IntN(len(b64Alphabet))]
	}
	return q
}

// needVector skips where this CPU has no vector version.
func needVector(t *testing.T) {
	if _, n, _ := sumVector(make([]byte, 32)); n == 0 {
		t.Skip("no vector version of the sum on this CPU or architecture")
	}
}

// Every byte value at every place of a 32-character block: the vector sum
// finds the same characters outside the alphabet as the tables, and the
// same sum where all are in it.
func TestSumVectorEveryCharacterEveryPlace(t *testing.T) {
	needVector(t)
	var s b64Shares
	s.init()
	r := rand.New(rand.NewPCG(1, 2))
	for c := range 256 {
		for p := range 32 {
			q := validQuads(r, 64)
			q[p+32*(c%2)] = byte(c)
			got, n, ok := sumVector(q)
			want, wantOK := s.sumQuadsScalar(q)
			if n != 64 || ok != wantOK || ok && got != want {
				t.Fatalf("character %#02x at %d: sum %d, %d characters, in the alphabet %v; want %d, 64, %v", c, p, got, n, ok, want, wantOK)
			}
		}
	}
}

// On random text the vector sum is the sum of the bytes base64 decodes to,
// and it leaves the characters after the last whole 32 to the tables.
func TestSumVectorIsTheDecodedSum(t *testing.T) {
	needVector(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{32, 4096, 4092, 36} {
		q := validQuads(r, size)
		raw, err := base64.StdEncoding.DecodeString(string(q[:size&^31]))
		if err != nil {
			t.Fatal(err)
		}
		var want uint64
		for _, b := range raw {
			want += uint64(b)
		}
		got, n, ok := sumVector(q)
		if n != size&^31 || !ok || got != want {
			t.Errorf("%d characters: sum %d of %d, ok %v; want %d of %d", size, got, n, ok, want, size&^31)
		}
	}
}

func BenchmarkSumQuads(b *testing.B) {
	var s b64Shares
	s.init()
	q := validQuads(rand.New(rand.NewPCG(5, 6)), b64Block)
	b.SetBytes(int64(len(q)))
	b.Run("vector", func(b *testing.B) {
		for b.Loop() {
			s.sumQuads(q)
		}
	})
	b.Run("tables", func(b *testing.B) {
		for b.Loop() {
			s.sumQuadsScalar(q)
		}
	})
}
