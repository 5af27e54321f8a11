package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// With a token, the HTTP side answers 401 to anyone without it, and the
// live view binds loopback unless told otherwise.
func TestHTTPSideNeedsTheTokenAndBindsLoopback(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.http != "127.0.0.1:8080" {
		t.Errorf("default --http %q, want 127.0.0.1:8080", o.http)
	}
	t.Setenv("FRAMEWIRE_TOKEN", "s3cret")
	r := startRun(t, "--model", "mean")
	for _, path := range []string{"/", "/api/streams", "/live/any", "/metrics"} {
		url := "http://" + r.httpAddr + path
		if code := get(t, url, ""); code != http.StatusUnauthorized {
			t.Errorf("GET %s without the token: %d, want 401", path, code)
		}
		if code := get(t, url, "Bearer wrong"); code != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong token: %d, want 401", path, code)
		}
	}
	for _, path := range []string{"/", "/api/streams", "/metrics"} {
		if code := get(t, "http://"+r.httpAddr+path, "Bearer s3cret"); code != http.StatusOK {
			t.Errorf("GET %s with the token: %d, want 200", path, code)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+r.httpAddr+"/metrics", nil)
	req.SetBasicAuth("prometheus", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "framewire_") {
		t.Errorf("GET /metrics with Basic auth: %d, want 200 and framewire metrics", resp.StatusCode)
	}
}

// get returns the status of GET url with the Authorization header auth.
func get(t *testing.T, url, auth string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
