package tlsauto

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// Listen listens on addr for HTTPS or its plain-HTTP side (what says which).
// A port below 1024 without the right, or a port another web server holds,
// is explained in Chinese and English with what to do.
func Listen(addr, what string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	switch {
	case errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM):
		return nil, fmt.Errorf("cannot listen on %s (%s): %w\n"+
			"  1024 以下的端口（80、443）需要权限：用 sudo paygate service install 安装为服务（服务获得绑定低端口的权限，仍以你的用户运行），"+
			"或执行 sudo setcap cap_net_bind_service=+ep 本程序的路径。\n"+
			"  Ports below 1024 (80, 443) need a privilege: install paygate as a service with sudo paygate service install (the service may bind them and still runs as you), "+
			"or run sudo setcap cap_net_bind_service=+ep on the program", addr, what, err)
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("cannot listen on %s (%s): %w\n"+
			"  这个端口已被其他程序占用，通常是 nginx、apache 或 caddy：paygate 自己提供 HTTPS，不再需要它们。停掉它（例如 sudo systemctl disable --now nginx），"+
			"或用 server.addr / server.http_addr 换端口。\n"+
			"  Another program holds this port, usually nginx, apache or caddy: paygate serves HTTPS itself and needs none of them. Stop it (e.g. sudo systemctl disable --now nginx), "+
			"or choose other ports with server.addr / server.http_addr", addr, what, err)
	}
	return nil, fmt.Errorf("cannot listen on %s (%s): %w", addr, what, err)
}
