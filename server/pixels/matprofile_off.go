//go:build !matprofile

package pixels

// OpenMats returns how many gocv Mats are open; tracked is true only in
// builds with the matprofile tag, where gocv counts them.
func OpenMats() (n int, tracked bool) { return 0, false }
