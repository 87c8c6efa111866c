//go:build tools

// Package tools pins actionlint, which checks .github/workflows in `make test`.
// It is built from its Go module, as the engine is (tools/pulumi), and cached outside the clone.
package tools

import (
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
