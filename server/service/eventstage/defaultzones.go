package eventstage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"

	"github.com/framewire/framewire/internal/zonefile"
	pb "github.com/framewire/framewire/proto"
)

// ErrBadZones marks a default zones file that is not one.
var ErrBadZones = errors.New("bad zones file")

// DefaultZones is hdr counted by dir's zones file for its name
// (<name>.yaml, .yml or .json, which it names), tracking on; hdr itself
// and "" when there is none. hdr's name must have been checked.
func DefaultZones(dir string, hdr *pb.StreamHeader) (*pb.StreamHeader, string, error) {
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		file := filepath.Join(dir, hdr.GetName()+ext)
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, file, fmt.Errorf("read the stream's default zones: %w", err)
		}
		c, err := zonefile.Parse(data)
		if err != nil {
			return nil, file, fmt.Errorf("%w: the server's zones file %s: %w", ErrBadZones, file, err)
		}
		out := proto.Clone(hdr).(*pb.StreamHeader)
		out.Zones = c.JSON()
		if out.Options == nil {
			out.Options = &pb.StreamOptions{}
		}
		out.Options.Track = true
		return out, file, nil
	}
	return hdr, "", nil
}
