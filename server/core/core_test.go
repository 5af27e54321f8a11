package core

import (
	"strings"
	"testing"

	"github.com/framewire/framewire/proto/record"
)

// The model and its file are part of a run.
func TestRunDifferencesNameTheModel(t *testing.T) {
	a := record.Run{Model: record.Model{Kind: "nanodet", File: "/m/n.onnx", SHA256: "aa"}}
	b := a
	b.Model.SHA256 = "bb"
	if d := RunDifferences(a, b); len(d) != 1 || !strings.Contains(d[0], "model file") {
		t.Errorf("differences with another model file = %q, want one naming the model file", d)
	}
	b.Model = record.Model{Kind: "blazeface"}
	if d := RunDifferences(a, b); len(d) != 2 || !strings.Contains(d[0], "model nanodet there, blazeface now") {
		t.Errorf("differences with another model = %q, want the model named first", d)
	}
	if d := RunDifferences(a, a); len(d) != 0 {
		t.Errorf("a run differs from itself: %q", d)
	}
}

func TestStreamNameErrorNamesTheCharacter(t *testing.T) {
	err := CheckStreamName("cafæ")
	if err == nil || !strings.Contains(err.Error(), "has 'æ'") {
		t.Errorf("CheckStreamName(cafæ) = %v, want it to name 'æ'", err)
	}
	if err := CheckStreamName(UnaryName); err == nil {
		t.Errorf("CheckStreamName(%q) = nil, want it reserved", UnaryName)
	}
}
