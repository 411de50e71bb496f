package app

import "path/filepath"

// SourceKind is where a setting's value in force was set.
type SourceKind string

// Sources of a setting the admin console can also change.
const (
	SourceDefault SourceKind = ""        // the built-in default, not changed anywhere
	SourceConsole SourceKind = "console" // saved in the admin console (a database row)
	SourceFile    SourceKind = "file"    // config.yaml
	SourceEnv     SourceKind = "env"     // an environment variable
	SourceFlag    SourceKind = "flag"    // a command-line flag
)

// Source says where a setting's value in force comes from.
type Source struct {
	Kind SourceKind
	// Name is the config file's path (SourceFile), the environment
	// variable (SourceEnv), e.g. PAYGATE_ORDER_LIFETIME, or the flag
	// (SourceFlag), e.g. --public-url.
	Name string
}

// Pinned: set in config.yaml or the environment. Such a value wins over one
// saved in the console, and the console shows it read-only.
func (s Source) Pinned() bool {
	return s.Kind == SourceFile || s.Kind == SourceEnv || s.Kind == SourceFlag
}

// Describe says where the value comes from, for a person, in lang ("zh" or "en").
func (s Source) Describe(lang string) string {
	en := lang == "en"
	switch s.Kind {
	case SourceConsole:
		if en {
			return "changed in the console"
		}
		return "在控制台修改"
	case SourceFile:
		if en {
			return "set in " + filepath.Base(s.Name)
		}
		return "由 " + filepath.Base(s.Name) + " 设置"
	case SourceEnv:
		if en {
			return "set by the environment variable " + s.Name
		}
		return "由环境变量 " + s.Name + " 设置"
	case SourceFlag:
		if en {
			return "set by the command-line flag " + s.Name
		}
		return "由启动参数 " + s.Name + " 设置"
	}
	if en {
		return "default"
	}
	return "默认值"
}
