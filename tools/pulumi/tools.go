//go:build tools

// Package tools pins the Pulumi engine that tests and the demo run.
// The CLI is built from Go modules because no machine here can download
// Pulumi's release archives; see README "The engine".
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
