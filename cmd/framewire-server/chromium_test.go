package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// browser is headless Chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe: requests on fd 3, answers on fd 4, each
// message ending in a NUL byte), so no extra dependency is needed. One
// page; used from the test's goroutine only.
type browser struct {
	t       *testing.T
	cmd     *exec.Cmd
	in      *os.File // our end of fd 3
	out     *os.File // our end of fd 4
	rd      *bufio.Reader
	lastID  int
	session string // the page's DevTools session
	stderr  bytes.Buffer
}

// chromiumBinary is Debian's chromium package.
const chromiumBinary = "chromium"

// newBrowser starts headless Chromium with a w x h window, or skips the
// test when Chromium is not installed. It is closed when the test ends.
func newBrowser(t *testing.T, w, h int) *browser {
	t.Helper()
	bin, err := exec.LookPath(chromiumBinary)
	if err != nil {
		t.Skipf("needs Debian's chromium for the live view test (apt-get install chromium; scripts/setup.sh test installs it): %v", err)
	}
	toChrome, in, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, in: in, out: out, rd: bufio.NewReader(out)}
	b.cmd = exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", fmt.Sprintf("--window-size=%d,%d", w, h),
		"--hide-scrollbars", "about:blank")
	b.cmd.ExtraFiles = []*os.File{toChrome, fromChrome}
	b.cmd.Stderr = &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	fromChrome.Close()
	t.Cleanup(func() {
		b.call("", "Browser.close", nil, nil)
		in.Close()
		done := make(chan error, 1)
		go func() { done <- b.cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			b.cmd.Process.Kill()
			<-done
		}
		out.Close()
		if t.Failed() {
			t.Logf("chromium stderr:\n%s", b.stderr.String())
		}
	})
	return b
}

// call sends one DevTools command and decodes its result into result
// (when not nil). It fails the test on a protocol error or after 30 s.
func (b *browser) call(session, method string, params, result any) {
	b.t.Helper()
	b.lastID++
	msg := map[string]any{"id": b.lastID, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	req, err := json.Marshal(msg)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.in.Write(append(req, 0)); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	if err := b.out.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		b.t.Fatal(err)
	}
	for {
		raw, err := b.rd.ReadBytes(0)
		if err != nil {
			b.t.Fatalf("%s: no answer from chromium: %v", method, err)
		}
		var resp struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(raw[:len(raw)-1], &resp); err != nil {
			b.t.Fatalf("%s: %v", method, err)
		}
		if resp.ID != b.lastID {
			continue // an event, or the answer to an abandoned call
		}
		if resp.Error != nil {
			b.t.Fatalf("%s: %s", method, resp.Error)
		}
		if result != nil {
			if err := json.Unmarshal(resp.Result, result); err != nil {
				b.t.Fatalf("%s: %v", method, err)
			}
		}
		return
	}
}

// open loads url in a new page that later calls act on.
func (b *browser) open(url string) {
	b.t.Helper()
	var target struct{ TargetID string }
	b.call("", "Target.createTarget", map[string]any{"url": url}, &target)
	var attached struct{ SessionID string }
	b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
}

// eval evaluates a JavaScript expression in the page and decodes its
// JSON-able value into v.
func (b *browser) eval(expr string, v any) {
	b.t.Helper()
	var res struct {
		Result           struct{ Value json.RawMessage }
		ExceptionDetails json.RawMessage
	}
	b.call(b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res)
	if res.ExceptionDetails != nil {
		b.t.Fatalf("%s: %s", expr, res.ExceptionDetails)
	}
	if len(res.Result.Value) == 0 {
		b.t.Fatalf("%s: no value", expr)
	}
	if err := json.Unmarshal(res.Result.Value, v); err != nil {
		b.t.Fatalf("%s = %s: %v", expr, res.Result.Value, err)
	}
}

// screenshot returns the page as PNG bytes.
func (b *browser) screenshot() []byte {
	b.t.Helper()
	var page struct {
		CSSContentSize struct{ Width, Height float64 } `json:"cssContentSize"`
	}
	b.call(b.session, "Page.getLayoutMetrics", map[string]any{}, &page)
	clip := map[string]any{"x": 0, "y": 0, "width": page.CSSContentSize.Width, "height": page.CSSContentSize.Height, "scale": 1}
	var shot struct{ Data string }
	b.call(b.session, "Page.captureScreenshot", map[string]any{"format": "png", "clip": clip, "captureBeyondViewport": true}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	return png
}
