package auth

import (
	"net/http"
	"testing"
)

// With a token, nothing on the HTTP side is served without it.
func TestHTTPNeedsTheToken(t *testing.T) {
	h := RequireToken("s3cret", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	for _, path := range []string{"/", "/api/streams", "/live/x", "/metrics"} {
		for _, c := range []struct {
			auth func(*http.Request)
			want int
		}{
			{func(*http.Request) {}, http.StatusUnauthorized},
			{func(r *http.Request) { r.Header.Set("Authorization", "Bearer wrong") }, http.StatusUnauthorized},
			{func(r *http.Request) { r.Header.Set("Authorization", "Bearer s3cret") }, 0},
			{func(r *http.Request) { r.SetBasicAuth("any", "s3cret") }, 0},
		} {
			req, _ := http.NewRequest(http.MethodGet, "http://x"+path, nil)
			c.auth(req)
			rec := &statusRecorder{header: http.Header{}}
			h.ServeHTTP(rec, req)
			authorized := rec.code != http.StatusUnauthorized
			if c.want == http.StatusUnauthorized && authorized || c.want == 0 && !authorized {
				t.Errorf("%s with %q: status %d", path, req.Header.Get("Authorization"), rec.code)
			}
		}
	}
}

// statusRecorder keeps only a response's status.
type statusRecorder struct {
	header http.Header
	code   int
}

func (r *statusRecorder) Header() http.Header { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return len(b), nil
}
func (r *statusRecorder) WriteHeader(code int) { r.code = code }
