package detect

// DefaultConf is the score threshold a kind uses when none is given: 0.4
// for nanodet, 0.6 for blazeface, 0 otherwise.
func DefaultConf(kind string) float32 {
	switch kind {
	case KindNanodet:
		return defaultNanodetConf
	case KindBlazeFace:
		return defaultBlazeFaceConf
	}
	return 0
}
