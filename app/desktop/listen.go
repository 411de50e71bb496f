package desktop

import (
	"fmt"
	"net"
	"strconv"
)

// FallbackPorts is how many ports after the configured one Listen tries.
const FallbackPorts = 20

// Listen listens on addr. When fallback is set (the address was not chosen
// by the person running paygate) and the port is taken, it tries the next
// ports up to FallbackPorts; a chosen address that is taken is an error
// saying what to do.
func Listen(addr string, fallback bool) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil || !fallback {
		if err != nil {
			return nil, fmt.Errorf("cannot listen on %s: %w\n"+
				"  端口可能已被其他程序（或另一个 paygate）占用：请关闭它，或换一个端口，例如 --addr :3001、PAYGATE_SERVER_ADDR=:3001 或 config.yaml 里的 server.addr。\n"+
				"  The port may be in use by another program (or another paygate): stop it, or choose another port, e.g. --addr :3001, PAYGATE_SERVER_ADDR=:3001 or server.addr in config.yaml", addr, err)
		}
		return ln, nil
	}
	host, portText, splitErr := net.SplitHostPort(addr)
	port, convErr := strconv.Atoi(portText)
	if splitErr != nil || convErr != nil || port == 0 {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	first := err
	for p := port + 1; p <= port+FallbackPorts && p <= 65535; p++ {
		if ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p))); err == nil {
			return ln, nil
		}
	}
	return nil, fmt.Errorf("cannot listen on %s nor on the %d ports after it: %w\n"+
		"  请关闭占用这些端口的程序，或用 --addr 指定一个空闲端口。 Stop the programs using these ports, or choose a free port with --addr", addr, FallbackPorts, first)
}
