package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/views"
)

func (s *Server) exportPage(c echo.Context) error {
	now := s.gw.Now().In(app.Shanghai)
	return s.render(c, http.StatusOK, views.ExportPage(s.meta(c, tr(c, "导出", "Export"), "export"), views.ExportData{
		From: now.AddDate(0, 0, -29).Format("2006-01-02"), To: now.Format("2006-01-02"),
	}))
}

// export streams orders or payments of a date range as CSV (UTF-8 with a
// BOM, so Excel reads the Chinese) or XLSX. Rows go from the database cursor
// straight to the writer; nothing collects them all in memory.
func (s *Server) export(c echo.Context) error {
	from, to, err := gateway.ParseDateRange(c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	if from.IsZero() || to.IsZero() {
		return app.NewError(app.EINVALID, "from", "请选择开始日期和结束日期。", "Choose a start and an end date.")
	}
	what, format := c.QueryParam("what"), c.QueryParam("format")
	if what != "orders" && what != "payments" {
		return app.NewError(app.EINVALID, "what", "请选择导出订单还是收款。", "Choose orders or payments.")
	}
	if format != "csv" && format != "xlsx" {
		return app.NewError(app.EINVALID, "format", "格式只能是 CSV 或 XLSX。", "The format must be CSV or XLSX.")
	}
	lang := uiLang(c)
	header, each := s.exportRows(c, what, from, to, lang)
	name := fmt.Sprintf("paygate-%s-%s_%s.%s", what, from.Format("20060102"), to.AddDate(0, 0, -1).Format("20060102"), format)
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set(echo.HeaderCacheControl, "no-store")
	if format == "csv" {
		return s.streamCSV(c, header, each)
	}
	return s.streamXLSX(c, header, each)
}

// cell is one value of an export row: text, or an amount in yuan.
type cell struct {
	text   string
	amount float64
	isNum  bool
}

func txt(s string) cell { return cell{text: s} }

func yuanCell(f interface{ Fixed2() string }, v int64) cell {
	return cell{text: f.Fixed2(), amount: float64(v) / 100, isNum: true}
}

func (s *Server) exportRows(c echo.Context, what string, from, to time.Time, lang string) ([]string, func(func([]cell) error) error) {
	ctx := c.Request().Context()
	zh := lang != "en"
	pick := func(zhs, ens string) string {
		if zh {
			return zhs
		}
		return ens
	}
	if what == "orders" {
		header := []string{pick("订单号", "Order id"), pick("商户订单号", "Merchant order id"), pick("商品", "Product"),
			pick("支付方式", "Method"), pick("下单金额", "Amount asked"), pick("应付金额", "Amount to pay"), pick("状态", "Status"),
			pick("创建时间", "Created"), pick("支付时间", "Paid at"), pick("收款编号", "Payment id")}
		return header, func(emit func([]cell) error) error {
			return s.gw.ExportOrders(ctx, from, to, func(o app.Order) error {
				return emit([]cell{txt(o.ID), txt(o.MerchantOrderID), txt(o.ProductName), txt(o.Method.Label(lang)),
					yuanCell(o.Amount, int64(o.Amount)), yuanCell(o.PayAmount, int64(o.PayAmount)), txt(orderStatusText(o.Status, zh)),
					txt(app.FormatTime(o.CreatedAt)), txt(app.FormatTime(o.PaidAt)), txt(o.PaymentID)})
			})
		}
	}
	header := []string{pick("收款编号", "Payment id"), pick("金额", "Amount"), pick("支付方式", "Method"), pick("状态", "Status"),
		pick("订单号", "Order id"), pick("到账时间", "Received"), pick("匹配人", "Matched by"), pick("回调", "Callback")}
	return header, func(emit func([]cell) error) error {
		return s.gw.ExportPayments(ctx, from, to, func(p app.Payment) error {
			method := ""
			if p.Method != "" {
				method = p.Method.Label(lang)
			}
			return emit([]cell{txt(p.ID), yuanCell(p.Amount, int64(p.Amount)), txt(method), txt(string(p.Status)),
				txt(p.OrderID), txt(app.FormatTime(p.ReceivedAt)), txt(p.MatchedBy), txt(string(p.CallbackStatus))})
		})
	}
}

func orderStatusText(s app.OrderStatus, zh bool) string {
	if !zh {
		return string(s)
	}
	return map[app.OrderStatus]string{app.OrderPending: "待支付", app.OrderSuccess: "已支付", app.OrderExpired: "已过期", app.OrderFailed: "已关闭"}[s]
}

// safeCSV stops a spreadsheet from running a product name such as
// "=HYPERLINK(…)" as a formula.
func safeCSV(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (s *Server) streamCSV(c echo.Context, header []string, each func(func([]cell) error) error) error {
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("\xEF\xBB\xBF")) // BOM: Excel then reads UTF-8
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	n := 0
	err := each(func(row []cell) error {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = safeCSV(v.text)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		if n++; n%500 == 0 {
			cw.Flush()
			w.Flush()
		}
		return nil
	})
	cw.Flush()
	if err != nil {
		s.log.Error("CSV export stopped", "err", err)
	}
	return nil
}

func (s *Server) streamXLSX(c echo.Context, header []string, each func(func([]cell) error) error) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i := range header {
		width := 18.0
		if i == 0 || i == 9 {
			width = 32
		}
		_ = sw.SetColWidth(i+1, i+1, width)
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = excelize.Cell{Value: h, StyleID: bold}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := 2
	err = each(func(cells []cell) error {
		vals := make([]any, len(cells))
		for i, v := range cells {
			if v.isNum {
				vals[i] = excelize.Cell{Value: v.amount, StyleID: money}
			} else {
				vals[i] = v.text
			}
		}
		axis, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(axis, vals)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.WriteHeader(http.StatusOK)
	if err := f.Write(w); err != nil {
		s.log.Error("XLSX export stopped", "err", err)
	}
	return nil
}
