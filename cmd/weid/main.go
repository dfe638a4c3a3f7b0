// Command weid is the weid node and command line; see "weid --help".
package main

import (
	"context"
	"os"

	"github.com/weidgo/weid/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:]))
}
