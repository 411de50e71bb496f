// Command paygate is a payment gateway for merchants who take money on their
// personal Alipay / WeChat 收款码. main hands the command line to app/cmd —
// flags and sub-commands → config → store → web; signals — with the
// config.yaml template and the version built into the binary; nothing else.
package main

import (
	_ "embed"
	"os"

	"paygate/app/cmd"
	"paygate/app/desktop"
)

// version is stamped by the release build: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// configTemplate is the commented config.yaml, written beside the binary on
// its first start when there is no configuration anywhere.
//
//go:embed config.yaml
var configTemplate []byte

func main() {
	args := os.Args[1:]
	code := cmd.Program{Version: version, ConfigTemplate: configTemplate}.Run(args, os.Stdout, os.Stderr)
	if code != 0 && cmd.StartsServer(args) {
		// A double-clicked paygate.exe: keep the window open to read why.
		desktop.HoldWindow(os.Stderr)
	}
	os.Exit(code)
}
