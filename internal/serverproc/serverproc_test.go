package serverproc

import "testing"

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tframewire-serve\nVmPeak:\t  999 kB\nVmRSS:\t   51234 kB\nRssAnon:\t 1 kB\n"
	if got, err := ParseVmRSS([]byte(status)); err != nil || got != 51234 {
		t.Errorf("ParseVmRSS = %d, %v; want 51234", got, err)
	}
	if _, err := ParseVmRSS([]byte("Name: x\n")); err == nil {
		t.Error("no VmRSS line accepted")
	}
}
