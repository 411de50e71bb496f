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
	"paygate/app/money"
	"paygate/views"
)

// exportPage offers the last 30 days, or the range in ?from=&to= (the
// 今天 and 本月 presets).
func (s *Server) exportPage(c echo.Context) error {
	now := s.gw.Now().In(app.Shanghai)
	d := views.ExportData{
		From: now.AddDate(0, 0, -29).Format("2006-01-02"), To: now.Format("2006-01-02"),
		Today: now.Format("2006-01-02"), MonthStart: now.AddDate(0, 0, 1-now.Day()).Format("2006-01-02"),
	}
	if from, to := c.QueryParam("from"), c.QueryParam("to"); from != "" || to != "" {
		if _, _, err := gateway.ParseDateRange(from, to); err != nil {
			return err
		}
		d.From, d.To = from, to
	}
	return s.render(c, http.StatusOK, views.ExportPage(s.meta(c, tr(c, "导出", "Export"), "export"), d))
}

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
	header, each, totals := s.exportRows(c, what, from, to, lang)
	name := fmt.Sprintf("paygate-%s-%s_%s.%s", what, from.Format("20060102"), to.AddDate(0, 0, -1).Format("20060102"), format)
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set(echo.HeaderCacheControl, "no-store")
	if format == "csv" {
		return s.streamCSV(c, header, each, totals)
	}
	return s.streamXLSX(c, header, each, totals)
}

// cell is one value of an export row: text, an amount in yuan, a count or
// a time (a real date in XLSX, Shanghai time as text in CSV).
type cell struct {
	text   string
	amount money.Fen
	at     time.Time
	kind   cellKind
}

type cellKind int

const (
	textCell cellKind = iota
	amountCell
	timeCell
)

func txt(s string) cell { return cell{text: s, kind: textCell} }

func yuanCell(f money.Fen) cell { return cell{text: f.Fixed2(), amount: f, kind: amountCell} }

// timeOf is a time cell, empty when zero.
func timeOf(t time.Time) cell {
	if t.IsZero() {
		return txt("")
	}
	return cell{text: app.FormatTime(t), at: t.In(app.Shanghai), kind: timeCell}
}

// diffCell is what arrived minus what was asked, empty when equal or
// nothing arrived.
func diffCell(received, payable money.Fen) cell {
	if received == 0 || payable == 0 || received == payable {
		return txt("")
	}
	return yuanCell(received - payable)
}

// exportRows gives the header, the rows (through emit) and, once the rows
// are done, the totals row. Every status and word is in lang.
func (s *Server) exportRows(c echo.Context, what string, from, to time.Time, lang string) ([]string, func(func([]cell) error) error, func() []cell) {
	ctx := c.Request().Context()
	pick := func(zhs, ens string) string {
		if lang == "en" {
			return ens
		}
		return zhs
	}
	blank := func(cells ...cell) []cell { return cells }
	if what == "orders" {
		header := []string{pick("订单号", "Order id"), pick("商城订单号", "Shop order no."), pick("商品", "Product"),
			pick("支付方式", "Method"), pick("下单金额", "Amount asked"), pick("应付金额", "Amount to pay"), pick("实收金额", "Amount received"),
			pick("少付(-)/多付(+)", "Short (-) / over (+)"), pick("状态", "Status"), pick("通知商城", "Shop told"),
			pick("创建时间", "Created"), pick("支付时间", "Paid at"), pick("收款编号", "Payment id")}
		var n, paid int
		var asked, payable, received money.Fen
		each := func(emit func([]cell) error) error {
			return s.gw.ExportOrders(ctx, from, to, func(o app.OrderSummary) error {
				n++
				asked += o.Amount
				payable += o.PayAmount
				receivedCell, notified := txt(""), ""
				if o.Paid() {
					paid++
					received += o.Received
					receivedCell, notified = yuanCell(o.Received), o.Callback.Label(lang)
				}
				return emit([]cell{txt(o.ID), txt(o.ShopNumber()), txt(o.ProductName), txt(o.Method.Label(lang)),
					yuanCell(o.Amount), yuanCell(o.PayAmount), receivedCell, diffCell(o.Received, o.PayAmount),
					txt(o.Status.Label(lang)), txt(notified), timeOf(o.CreatedAt), timeOf(o.PaidAt), txt(o.PaymentID)})
			})
		}
		totals := func() []cell {
			return blank(txt(pick("合计", "Total")), txt(fmt.Sprintf(pick("%d 个订单，%d 个已支付", "%d orders, %d paid"), n, paid)), txt(""), txt(""),
				yuanCell(asked), yuanCell(payable), yuanCell(received), txt(""), txt(""), txt(""), txt(""), txt(""), txt(""))
		}
		return header, each, totals
	}
	header := []string{pick("收款编号", "Payment id"), pick("实收金额", "Amount received"), pick("支付方式", "Method"), pick("状态", "Status"),
		pick("订单号", "Order id"), pick("商城订单号", "Shop order no."), pick("商品", "Product"), pick("订单应付", "Order asks"),
		pick("少付(-)/多付(+)", "Short (-) / over (+)"), pick("到账时间", "Received"), pick("匹配方式", "Matched by"),
		pick("通知商城", "Shop told"), pick("手动补单说明", "Recorded by hand because")}
	var n, matched int
	var total, matchedTotal money.Fen
	each := func(emit func([]cell) error) error {
		return s.gw.ExportPayments(ctx, from, to, func(p app.Payment) error {
			n++
			total += p.Amount
			method, payable, notified := "", txt(""), ""
			if p.Method != "" {
				method = p.Method.Label(lang)
			}
			if p.OrderID != "" {
				matched++
				matchedTotal += p.Amount
				payable, notified = yuanCell(p.Order.PayAmount), p.CallbackStatus.Label(lang)
			}
			return emit([]cell{txt(p.ID), yuanCell(p.Amount), txt(method), txt(p.Status.Label(lang)),
				txt(p.OrderID), txt(p.Order.ShopNumber()), txt(p.Order.ProductName), payable, diffCell(p.Amount, p.Order.PayAmount),
				timeOf(p.ReceivedAt), txt(app.MatchedByLabel(p.MatchedBy, lang)), txt(notified), txt(p.Note)})
		})
	}
	totals := func() []cell {
		return blank(txt(pick("合计", "Total")), yuanCell(total),
			txt(fmt.Sprintf(pick("%d 笔收款，其中 %d 笔已匹配订单，共 ¥%s", "%d payments, %d matched to orders: ¥%s"), n, matched, matchedTotal.Fixed2())),
			txt(""), txt(""), txt(""), txt(""), txt(""), txt(""), txt(""), txt(""), txt(""), txt(""))
	}
	return header, each, totals
}

// safeCSV stops a spreadsheet from running a product name such as
// "=HYPERLINK(…)" as a formula.
func safeCSV(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvText is a cell as CSV text: numbers and times as they are (a short
// payment's -1.00 is a number, not a formula), text made safe.
func csvText(v cell) string {
	if v.kind == textCell {
		return safeCSV(v.text)
	}
	return v.text
}

func (s *Server) streamCSV(c echo.Context, header []string, each func(func([]cell) error) error, totals func() []cell) error {
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
			rec[i] = csvText(v)
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
	if err == nil {
		rec := []string{}
		for _, v := range totals() {
			rec = append(rec, csvText(v))
		}
		err = cw.Write(rec)
	}
	cw.Flush()
	if err != nil {
		s.log.Error("CSV export stopped", "err", err)
	}
	return nil
}

func (s *Server) streamXLSX(c echo.Context, header []string, each func(func([]cell) error) error, totals func() []cell) error {
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
	boldMoney, err := f.NewStyle(&excelize.Style{NumFmt: 2, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	dateFormat := "yyyy-mm-dd hh:mm:ss"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFormat})
	if err != nil {
		return err
	}
	for i, h := range header {
		width := 18.0
		if strings.Contains(h, "号") || strings.Contains(strings.ToLower(h), "id") || strings.Contains(h, "no.") {
			width = 30
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
	values := func(cells []cell, text, amount int) []any {
		vals := make([]any, len(cells))
		for i, v := range cells {
			switch v.kind {
			case amountCell:
				vals[i] = excelize.Cell{Value: float64(v.amount) / 100, StyleID: amount}
			case timeCell:
				vals[i] = excelize.Cell{Value: v.at, StyleID: date}
			default:
				vals[i] = excelize.Cell{Value: v.text, StyleID: text}
			}
		}
		return vals
	}
	err = each(func(cells []cell) error {
		axis, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(axis, values(cells, 0, money))
	})
	if err != nil {
		return err
	}
	axis, _ := excelize.CoordinatesToCellName(1, row)
	if err := sw.SetRow(axis, values(totals(), bold, boldMoney)); err != nil {
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
