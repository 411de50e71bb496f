package service

import (
	"strings"
)

// The service files are paygate's own text, not the service library's
// templates: its per-user systemd unit names a target that does not exist
// in the user manager (so it would never start), and it has no way to show
// a file without installing it. The text is rendered here, whole, and handed
// to the library as its template (it has no {{ }} left), so the file
// installed is exactly the one `paygate service print` shows and the tests check.

// SystemdUnit is the systemd unit for spec.
func SystemdUnit(s Spec) string {
	var b strings.Builder
	b.WriteString("[Unit]\n")
	b.WriteString("Description=" + s.Description + "\n")
	if !s.PerUser {
		// A user's own manager has no network-online.target.
		b.WriteString("After=network-online.target\nWants=network-online.target\n")
	}
	b.WriteString("\n[Service]\nType=simple\n")
	b.WriteString("ExecStart=" + systemdQuote(s.Executable))
	for _, a := range s.Arguments {
		b.WriteString(" " + systemdQuote(a))
	}
	b.WriteString("\n")
	if s.WorkingDirectory != "" {
		b.WriteString("WorkingDirectory=" + systemdEscape(s.WorkingDirectory) + "\n")
	}
	if s.UserName != "" {
		b.WriteString("User=" + s.UserName + "\n")
	}
	b.WriteString("Restart=always\nRestartSec=5\nTimeoutStopSec=30\nLimitNOFILE=65536\n")
	if !s.PerUser {
		// Ports 80 and 443 for automatic HTTPS, also when running as a user.
		b.WriteString("AmbientCapabilities=CAP_NET_BIND_SERVICE\nNoNewPrivileges=true\n")
	}
	b.WriteString("\n[Install]\n")
	if s.PerUser {
		b.WriteString("WantedBy=default.target\n")
	} else {
		b.WriteString("WantedBy=multi-user.target\n")
	}
	return b.String()
}

// LaunchdPlist is the launchd property list for spec.
func LaunchdPlist(s Spec) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + xmlEscape(s.Name) + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + xmlEscape(s.Executable) + "</string>\n")
	for _, a := range s.Arguments {
		b.WriteString("\t\t<string>" + xmlEscape(a) + "</string>\n")
	}
	b.WriteString("\t</array>\n")
	if s.WorkingDirectory != "" {
		b.WriteString("\t<key>WorkingDirectory</key>\n\t<string>" + xmlEscape(s.WorkingDirectory) + "</string>\n")
	}
	if s.UserName != "" {
		b.WriteString("\t<key>UserName</key>\n\t<string>" + xmlEscape(s.UserName) + "</string>\n")
	}
	b.WriteString("\t<key>RunAtLoad</key>\n\t<true/>\n\t<key>KeepAlive</key>\n\t<true/>\n\t<key>ThrottleInterval</key>\n\t<integer>5</integer>\n")
	if s.OutputFile != "" {
		// The start banner and anything printed before the log file opens.
		b.WriteString("\t<key>StandardOutPath</key>\n\t<string>" + xmlEscape(s.OutputFile) + "</string>\n")
		b.WriteString("\t<key>StandardErrorPath</key>\n\t<string>" + xmlEscape(s.OutputFile) + "</string>\n")
	}
	b.WriteString("</dict>\n</plist>\n")
	return b.String()
}

// systemdQuote makes one ExecStart argument: quoted when it holds a space
// or a quote, with systemd's specifiers (%) and variables ($) escaped.
func systemdQuote(s string) string {
	e := systemdEscape(s)
	e = strings.ReplaceAll(e, "$", "$$")
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return e
	}
	e = strings.ReplaceAll(e, `\`, `\\`)
	e = strings.ReplaceAll(e, `"`, `\"`)
	return `"` + e + `"`
}

// systemdEscape escapes systemd's % specifiers.
func systemdEscape(s string) string { return strings.ReplaceAll(s, "%", "%%") }

var xmlEscaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;", `'`, "&apos;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }
