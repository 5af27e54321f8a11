package folder_test

import (
	"testing"

	"github.com/framewire/framewire/server/store/folder/foldertest"
	"github.com/framewire/framewire/server/store/storetest"
)

// The folder store passes the suite every store passes.
func TestConformance(t *testing.T) {
	storetest.Run(t, foldertest.Backend(foldertest.Open))
}
