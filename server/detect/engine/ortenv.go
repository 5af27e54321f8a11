package engine

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// DefaultONNXRuntimeLib is where scripts/install-onnxruntime.sh installs
// ONNX Runtime 1.30.0.
const DefaultONNXRuntimeLib = "/usr/local/lib/framewire/libonnxruntime.so.1"

// ortMinVersion is the oldest ONNX Runtime whose C API has every function
// onnxruntime_go v1.27.0 calls (its headers are the 1.24 API).
const ortMinMajor, ortMinMinor = 1, 24

// ortInstallHint ends every error about a missing or wrong library.
const ortInstallHint = "`bash scripts/install-onnxruntime.sh` installs ONNX Runtime 1.30.0 as " + DefaultONNXRuntimeLib +
	"; or point --onnxruntime-lib (FRAMEWIRE_SERVER_ONNXRUNTIME_LIB) at a libonnxruntime.so of version 1.24 or newer, " +
	"or use --engine opencv"

// ortEnv is the one ONNX Runtime of the process. onnxruntime_go keeps its
// environment (the dlopen'ed library and one OrtEnv) in package variables of
// its own, so it can be loaded once per process and from one path only; this
// is the package's only mutable global, and LoadONNXRuntime the only code
// that touches onnxruntime_go's environment. It is never unloaded: sessions
// may live until the process exits.
var ortEnv struct {
	mu      sync.Mutex
	path    string // the library loaded; "" = none yet
	version string
}

// LoadONNXRuntime loads the ONNX Runtime shared library at path ("" =
// DefaultONNXRuntimeLib) into the process, once, with its log level at
// "error" (so that models listing their weights among the graph inputs do
// not print a warning for each), and returns its version. Later calls with
// the same path return at once; a different path is an error, since a
// process holds one ONNX Runtime. Safe for concurrent use.
func LoadONNXRuntime(path string) (version string, err error) {
	if path == "" {
		path = DefaultONNXRuntimeLib
	}
	ortEnv.mu.Lock()
	defer ortEnv.mu.Unlock()
	if ortEnv.path != "" {
		return loadedFrom(path)
	}
	if version, err = initORT(path); err != nil {
		return "", err
	}
	ortEnv.path, ortEnv.version = path, version
	return version, nil
}

// loadedFrom is the version of the library already loaded, if it came
// from path; the library cannot be replaced.
func loadedFrom(path string) (string, error) {
	if ortEnv.path != path {
		return "", fmt.Errorf("engine: cannot load ONNX Runtime from %s: this process already loaded %s", path, ortEnv.path)
	}
	return ortEnv.version, nil
}

// initORT loads the library at path and checks its version. On error the
// environment is left uninitialised.
func initORT(path string) (string, error) {
	if err := checkLibrary(path); err != nil {
		return "", err
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return "", fmt.Errorf("engine: cannot load the ONNX Runtime library %s: %w; %s", path, err, ortInstallHint)
	}
	return checkVersion(path, ort.GetVersion())
}

// checkLibrary fails unless path is a regular file.
func checkLibrary(path string) error {
	st, err := os.Stat(path)
	if err == nil && !st.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		return fmt.Errorf("engine: ONNX Runtime library %s: %w; %s", path, err, ortInstallHint)
	}
	return nil
}

// checkVersion returns version, the loaded library's, if it is new
// enough; otherwise it unloads the library.
func checkVersion(path, version string) (string, error) {
	if ortVersionOK(version) {
		return version, nil
	}
	err := ort.DestroyEnvironment()
	return "", errors.Join(fmt.Errorf("engine: ONNX Runtime library %s is version %q, want %d.%d or newer; %s",
		path, version, ortMinMajor, ortMinMinor, ortInstallHint), err)
}

// ortVersionOK reports whether version ("1.30.0") is at least
// ortMinMajor.ortMinMinor.
func ortVersionOK(version string) bool {
	major, minor, ok := majorMinor(version)
	return ok && (major > ortMinMajor || major == ortMinMajor && minor >= ortMinMinor)
}

// majorMinor reads the major and minor numbers of a version "X.Y[.Z]".
func majorMinor(version string) (major, minor int, ok bool) {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}
