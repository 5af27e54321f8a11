package detect

// Classes returns the labels a detector can report, in class-id order
// (nil for "mean", which reports nothing). The slice must not be changed.
func Classes(d Detector) []string {
	switch d := d.(type) {
	case *nanodetDetector:
		return d.labels
	case *blazeFaceDetector:
		return d.labels
	}
	return nil
}
