package cmd

import (
	"fmt"
	"io"
)

// version is `paygate version`.
func (p Program) version(stdout io.Writer) int {
	fmt.Fprintln(stdout, "paygate", p.Version)
	return 0
}

// usage is `paygate help`: every sub-command and the server's flags.
func usage(stdout io.Writer) {
	fmt.Fprint(stdout, `paygate — payment gateway for personal Alipay / WeChat 收款码

Usage:
  paygate [flags]          start the server (double-click: config.yaml and data/ are created
                           beside the program, the browser opens on the first-run page)
  paygate version          print the version
  paygate help             print this help
  paygate merchant-demo [--addr 127.0.0.1:3001] [--key API_KEY] [--path /payment-callback]
                           a local merchant that receives, verifies and prints
                           callbacks, to test a set-up (key default: $PAYGATE_MERCHANT_API_KEY)
  paygate reset-admin      forgot the admin password: remove the admin account (stop paygate first);
                           the next visit to the console asks for a new one
  paygate bench SCENARIO   load-test a paygate on this machine (orders, webhook, same-amount,
                           status, admin, export, seed, startup); .ci/bench runs them all
  paygate backup           write a consistent copy of the database to data/backups now
                           (safe while paygate runs)
  paygate restore FILE     put a backup back (stop paygate first); the current database is
                           kept beside it as paygate.db.before-restore-<time>
  paygate restore --from-replica URL [--at TIME] [--endpoint URL] [--region R]
                           rebuild the data directory from the off-machine replica
                           (replica.url), e.g. on a new machine; never over a database
                           holding newer records; TIME is Shanghai time "2026-11-26 16:00:00"
  paygate service ACTION   run paygate as a service: started at boot, restarted after a crash
                           (systemd, launchd, Windows); ACTION is install, uninstall, start, stop,
                           restart, status or print; sudo paygate service install on a server

Flags:
  --config FILE            config.yaml to read (default ./config.yaml, else beside the executable)
  --addr ADDR              listen address, e.g. :3000 or 127.0.0.1:3000
  --data-dir DIR           directory for the database (default data/)
  --open-browser BOOL      open the browser at start
  --public-url URL         public base URL used in links (checkout pages, payment links)

Every config.yaml key can also be set as PAYGATE_<SECTION>_<KEY>,
e.g. PAYGATE_SERVER_ADDR=127.0.0.1:3000 or PAYGATE_MERCHANT_API_KEY=….
`)
}
