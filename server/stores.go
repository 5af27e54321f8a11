package server

import (
	"net/url"

	"github.com/framewire/framewire/server/store"
	"github.com/framewire/framewire/server/store/folder"
)

// StoreSchemes are the output stores a server knows, by the URL scheme
// --out names them with (a plain path is file://). A new store adds its
// row here (docs/stores.md).
func StoreSchemes() []store.Scheme {
	return []store.Scheme{
		{Name: "file", Open: openFolder},
	}
}

// openFolder opens the folder store a file location names.
func openFolder(loc *url.URL, o store.Options) (store.Store, error) {
	dir, err := store.FilePath(loc)
	if err != nil {
		return nil, err
	}
	s, err := folder.New(dir, o.LiveKeepFrames, o.Log)
	if err != nil {
		return nil, err
	}
	return s, nil
}
