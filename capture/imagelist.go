package capture

import "github.com/framewire/framewire/capture/imagefiles"

// Kinds of image sources reported in Info.Kind.
const (
	KindFolder = imagefiles.KindFolder // the images of one folder, not its subfolders
	KindGlob   = imagefiles.KindGlob   // the files a glob pattern matches
	KindList   = imagefiles.KindList   // the files a .txt file lists, one a line
)

// imageKind says whether spec names an image source, and which (see
// imagefiles.Kind); a webcam, device, URL or pipeline is none ("").
func imageKind(spec string) string {
	if sp, err := parseSpec(spec); err != nil || sp.kind != KindFile {
		return ""
	}
	return imagefiles.Kind(spec)
}
