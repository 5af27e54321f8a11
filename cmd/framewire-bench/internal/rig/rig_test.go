package rig

import (
	"testing"
	"time"
)

func TestWithoutOptional(t *testing.T) {
	in := "message M {\n  optional int64 a = 1;\n\toptional string b = 2;\n  int32 optional_c = 3;\n}\n"
	want := "message M {\n  int64 a = 1;\n\tstring b = 2;\n  int32 optional_c = 3;\n}\n"
	if got := string(withoutOptional([]byte(in))); got != want {
		t.Errorf("withoutOptional =\n%s\nwant\n%s", got, want)
	}
}

func TestRawCodec(t *testing.T) {
	req := []byte{1, 2, 3}
	got, err := RawCodec{}.Marshal(&req)
	if err != nil || string(got) != string(req) {
		t.Errorf("Marshal = %v, %v; want %v", got, err, req)
	}
	var reply []byte
	if err := (RawCodec{}).Unmarshal([]byte{4, 5}, &reply); err != nil || string(reply) != "\x04\x05" {
		t.Errorf("Unmarshal gave %v, %v; want [4 5]", reply, err)
	}
	if _, err := (RawCodec{}).Marshal("x"); err == nil {
		t.Error("Marshal of a string: no error")
	}
}

func TestParseThreadConfigs(t *testing.T) {
	cs, err := ParseThreadConfigs("1x2, 2x1,1x2")
	if err != nil || len(cs) != 2 || cs[0] != (ThreadConfig{1, 2}) || cs[1] != (ThreadConfig{2, 1}) {
		t.Errorf("got %v, %v", cs, err)
	}
	for _, bad := range []string{"", "2", "0x1", "1x-1", "axb"} {
		if _, err := ParseThreadConfigs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseStatCPU(t *testing.T) {
	stat := []byte("4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 70 0 0 20 0 9 0 100 0 0\n")
	got, err := ParseStatCPU(stat)
	if want := 3200 * time.Millisecond; err != nil || got != want {
		t.Errorf("ParseStatCPU = %v, %v; want %v", got, err, want)
	}
	if _, err := ParseStatCPU([]byte("4242 (cmd) S 1")); err == nil {
		t.Error("a short stat line was read without error")
	}
}
