package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app/console"
	"paygate/views"
)

// replicaStatus is the replication state, refreshed on the settings page.
func (s *Server) replicaStatus(c echo.Context) error {
	return s.render(c, http.StatusOK, views.ReplicaStatus(s.gw.ReplicaState()))
}

// saveReplica checks the typed replica (it must answer and hold nothing
// newer than this database) and saves it for the next start.
func (s *Server) saveReplica(c echo.Context) error {
	form := console.ReplicaForm{
		URL:             c.FormValue("url"),
		Endpoint:        c.FormValue("endpoint"),
		Region:          c.FormValue("region"),
		AccessKeyID:     c.FormValue("accessKeyId"),
		SecretAccessKey: c.FormValue("secretAccessKey"),
		HostKey:         c.FormValue("hostKey"),
		KeyFile:         c.FormValue("keyFile"),
	}
	sec, err := s.gw.SaveReplica(c.Request().Context(), form, actor(c))
	if err != nil {
		return err
	}
	msg := tr(c, "副本设置已保存：重启 paygate 后开始按新设置复制。", "Replica settings saved: paygate replicates with them after a restart.")
	if !sec.Settings.On() {
		msg = tr(c, "已关闭副本：重启 paygate 后停止复制。", "Replica turned off: replication stops when paygate restarts.")
	}
	return s.renderWithToast(c, views.ReplicaSection(sec), msg)
}
