package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/app/money"
)

// deviceView is a forwarder as the API shows it. Key is set only in the
// answer that creates or rotates it: lists never carry secrets.
type deviceView struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	Key             string `json:"key,omitempty"`
	UsesAPIKey      bool   `json:"usesApiKey"`
	Online          bool   `json:"online"`
	LastSeenAt      string `json:"lastSeenAt,omitempty"`
	LastHeartbeatAt string `json:"lastHeartbeatAt,omitempty"`
	LastIP          string `json:"lastIp,omitempty"`
	Via             string `json:"via,omitempty"`
	CreatedAt       string `json:"createdAt"`
}

func newDeviceView(d app.Device) deviceView {
	return deviceView{
		ID: d.ID, Name: d.Name, UsesAPIKey: d.UsesAPIKey, Online: d.Online,
		LastSeenAt: app.FormatTime(d.LastSeenAt), LastHeartbeatAt: app.FormatTime(d.LastHeartbeatAt),
		LastIP: d.LastIP, Via: d.LastKind, CreatedAt: app.FormatTime(d.CreatedAt),
	}
}

// newDeviceViewWithKey is the answer to creating or rotating a device: the
// one time the API shows its key.
func newDeviceViewWithKey(d app.Device) deviceView {
	v := newDeviceView(d)
	v.Key = d.Key
	return v
}

func (s *Server) listDevices(c echo.Context) error {
	list, err := s.gw.Devices(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]deviceView, len(list))
	for i, d := range list {
		out[i] = newDeviceView(d)
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "data": out})
}

func (s *Server) createDevice(c echo.Context) error {
	f, err := s.requestFields(c)
	if err != nil {
		return err
	}
	d, err := s.gw.CreateDevice(c.Request().Context(), f["name"], "api")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "device": newDeviceViewWithKey(d)})
}

func (s *Server) rotateDeviceKey(c echo.Context) error {
	id, err := pathID(c, "deviceId")
	if err != nil {
		return err
	}
	d, err := s.gw.RotateDeviceKey(c.Request().Context(), id, "api")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "device": newDeviceViewWithKey(d)})
}

func (s *Server) deleteDevice(c echo.Context) error {
	id, err := pathID(c, "deviceId")
	if err != nil {
		return err
	}
	if err := s.gw.DeleteDevice(c.Request().Context(), id, "api"); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true})
}

// notificationView is a stored forwarder request.
type notificationView struct {
	ID         int64             `json:"id"`
	ReceivedAt string            `json:"receivedAt"`
	Endpoint   string            `json:"endpoint"`
	RemoteIP   string            `json:"remoteIp"`
	DeviceID   int64             `json:"deviceId,omitempty"`
	DeviceName string            `json:"deviceName,omitempty"`
	Outcome    string            `json:"outcome"`
	Reason     string            `json:"reason,omitempty"`
	Package    string            `json:"package,omitempty"`
	Title      string            `json:"title,omitempty"`
	Text       string            `json:"text,omitempty"`
	Amount     money.Fen         `json:"amount,omitempty"`
	Method     string            `json:"paymentMethod,omitempty"`
	PaymentID  string            `json:"paymentId,omitempty"`
	Query      string            `json:"query,omitempty"`
	Body       string            `json:"body"`
	Header     map[string]string `json:"headers,omitempty"`
	// TruncatedFrom is the original size in bytes of a request without a
	// valid key, of which only the start is kept.
	TruncatedFrom int64 `json:"truncatedFrom,omitempty"`
}

// storedSizeView is a number of stored requests and their bytes.
type storedSizeView struct {
	Requests int64 `json:"requests"`
	Bytes    int64 `json:"bytes"`
}

// storageView is what the stored requests and the database take, and what is kept.
type storageView struct {
	DatabaseBytes int64                     `json:"databaseBytes"` // paygate.db
	WALBytes      int64                     `json:"walBytes"`      // paygate.db-wal
	Notifications storedSizeView            `json:"notifications"`
	ByOutcome     map[string]storedSizeView `json:"byOutcome"`
	// Strangers are the refused and unreadable requests without a valid key.
	Strangers      storedSizeView `json:"strangers"`
	StrangerLimits struct {
		CutTo       int   `json:"cutTo"` // bytes kept of body and of query, each
		MaxRequests int64 `json:"maxRequests"`
		MaxBytes    int64 `json:"maxBytes"`
	} `json:"strangerLimits"`
	// RetentionDays: requests that made no payment are deleted once older; 0 = kept forever.
	RetentionDays float64 `json:"retentionDays"`
}

func newStorageView(st app.NotificationStorage) storageView {
	v := storageView{DatabaseBytes: st.DatabaseBytes, WALBytes: st.WALBytes,
		Notifications: storedSizeView(st.Total), Strangers: storedSizeView(st.Strangers),
		ByOutcome: map[string]storedSizeView{}, RetentionDays: st.Retention.Hours() / 24}
	for o, s := range st.ByOutcome {
		v.ByOutcome[string(o)] = storedSizeView(s)
	}
	v.StrangerLimits.CutTo, v.StrangerLimits.MaxRequests, v.StrangerLimits.MaxBytes = st.Limits.CutTo, st.Limits.MaxRequests, st.Limits.MaxBytes
	return v
}

func (s *Server) listNotifications(c echo.Context) error {
	page, err := gateway.ParsePage(c.QueryParam("page"), c.QueryParam("limit"))
	if err != nil {
		return err
	}
	f := app.NotificationFilter{Outcome: c.QueryParam("outcome"), Offset: page.Offset(), Limit: page.Limit}
	if v := c.QueryParam("deviceId"); v != "" {
		if f.DeviceID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return app.NewError(app.EINVALID, "deviceId", "deviceId 必须是数字。", "deviceId must be a number.")
		}
	}
	list, total, err := s.gw.Notifications(c.Request().Context(), f)
	if err != nil {
		return err
	}
	storage, err := s.gw.NotificationStorage(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]notificationView, len(list))
	for i, n := range list {
		out[i] = notificationView{
			ID: n.ID, ReceivedAt: app.FormatTime(n.ReceivedAt), Endpoint: n.Endpoint, RemoteIP: n.RemoteIP,
			DeviceID: n.DeviceID, DeviceName: n.DeviceName, Outcome: string(n.Outcome), Reason: n.Reason,
			Package: n.Package, Title: n.Title, Text: n.Text, Amount: n.Amount, Method: string(n.Method),
			PaymentID: n.PaymentID, Query: n.Query, Body: n.Body, Header: n.Header, // secrets hidden by the gateway
			TruncatedFrom: n.CutFrom,
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "data": out, "total": total, "page": page.Number, "limit": page.Limit,
		"storage": newStorageView(storage)})
}

func (s *Server) reparseNotifications(c echo.Context) error {
	f, err := s.requestFields(c)
	if err != nil {
		return err
	}
	since := time.Unix(0, 0)
	if v := strings.TrimSpace(f["since"]); v != "" {
		t, err := time.ParseInLocation(app.TimeLayout, v, app.Shanghai)
		if err != nil {
			return app.NewError(app.EINVALID, "since",
				"since 需要上海时间 YYYY-MM-DD HH:mm:ss，例如 2026-11-26 00:00:00。",
				"since must be Shanghai time YYYY-MM-DD HH:mm:ss, e.g. 2026-11-26 00:00:00.")
		}
		since = t
	}
	rep, err := s.gw.Reparse(c.Request().Context(), since)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "report": rep})
}

func pathID(c echo.Context, field string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		shown := app.Clip(c.Param("id"), 20)
		return 0, app.NewError(app.EINVALID, field, "编号 "+field+" 必须是正整数（收到 "+shown+"）。",
			field+" must be a positive whole number (got "+shown+").")
	}
	return id, nil
}
