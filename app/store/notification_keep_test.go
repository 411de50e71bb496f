package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"paygate/app"
)

var testLimits = app.StrangerLimits{CutTo: 2 << 10, HeaderCutTo: 512, MaxRequests: 1000, MaxBytes: 5 << 20}

// saveRaw stores a request as the webhook does, before anything reads it.
func saveRaw(t *testing.T, db *DB, r app.RawRequest) int64 {
	t.Helper()
	if r.Endpoint == "" {
		r.Endpoint, r.Method = "/webhook", "POST"
	}
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = db.Now()
	}
	id, err := db.SaveRawNotification(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func refuse(t *testing.T, db *DB, id int64, outcome app.NotificationOutcome, deviceID int64, limits app.StrangerLimits) {
	t.Helper()
	if err := db.RefuseNotification(context.Background(), id, outcome, "wrong key", "密钥不对", deviceID, limits); err != nil {
		t.Fatal(err)
	}
}

// checkTotals compares what the triggers keep with a count of the table.
func checkTotals(t *testing.T, db *DB) app.NotificationStorage {
	t.Helper()
	ctx := context.Background()
	st, err := db.NotificationStorage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT outcome, count(*), sum(octet_length(headers) + octet_length(query) + octet_length(body))
		FROM notifications GROUP BY outcome`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counted := map[app.NotificationOutcome]app.StoredSize{}
	for rows.Next() {
		var o string
		var s app.StoredSize
		if err := rows.Scan(&o, &s.Requests, &s.Bytes); err != nil {
			t.Fatal(err)
		}
		counted[app.NotificationOutcome(o)] = s
	}
	if len(counted) != len(st.ByOutcome) {
		t.Fatalf("totals by outcome %v, the table has %v", st.ByOutcome, counted)
	}
	for o, s := range counted {
		if st.ByOutcome[o] != s {
			t.Fatalf("totals for %s: %+v, the table has %+v", o, st.ByOutcome[o], s)
		}
	}
	return st
}

func TestRefusedRequestIsCutDown(t *testing.T) {
	chinese := strings.Repeat("收到转账", 5000) // 60,000 bytes of 3-byte characters
	tests := []struct {
		name      string
		raw       app.RawRequest
		outcome   app.NotificationOutcome
		deviceID  int64
		wantWhole bool
	}{
		{"keyless 60 KB body", app.RawRequest{Body: []byte(`{"message":"` + chinese + `"}`)}, app.OutcomeRefused, 0, false},
		{"60 KB query", app.RawRequest{Endpoint: "/appPush", Method: "GET", Query: "t=1&sign=x&pad=" + chinese}, app.OutcomeRefused, 0, false},
		{"unreadable, no key", app.RawRequest{Body: []byte("\xff\xfe" + chinese)}, app.OutcomeInvalid, 0, false},
		{"huge header", app.RawRequest{Header: map[string]string{"user-agent": strings.Repeat("A", 100<<10)}}, app.OutcomeRefused, 0, false},
		{"small refused request", app.RawRequest{Body: []byte(`{"message":"收到转账0.01元(支付宝)"}`)}, app.OutcomeRefused, 0, true},
		{"unreadable from a known phone", app.RawRequest{Body: []byte("\xff\xfe" + chinese), Header: map[string]string{"key": "k"}}, app.OutcomeInvalid, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			if tt.deviceID != 0 {
				createDevice(t, db)
			}
			id := saveRaw(t, db, tt.raw)
			refuse(t, db, id, tt.outcome, tt.deviceID, testLimits)
			n, err := db.Notification(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			raw, _, err := db.RawNotification(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if n.Outcome != tt.outcome || n.Reason != "wrong key" || n.DeviceID != tt.deviceID {
				t.Fatalf("outcome %s (%s), device %d", n.Outcome, n.Reason, n.DeviceID)
			}
			whole := string(raw.Body) == string(tt.raw.Body) && raw.Query == tt.raw.Query && len(raw.Header["user-agent"]) == len(tt.raw.Header["user-agent"])
			if whole != tt.wantWhole {
				t.Fatalf("stored whole: %v, want %v (body %d of %d bytes, query %d of %d)", whole, tt.wantWhole,
					len(raw.Body), len(tt.raw.Body), len(raw.Query), len(tt.raw.Query))
			}
			if tt.wantWhole {
				if n.CutFrom != 0 {
					t.Fatalf("a request stored whole says it was cut from %d bytes", n.CutFrom)
				}
				return
			}
			if len(raw.Body) > testLimits.CutTo || len(raw.Query) > testLimits.CutTo || len(raw.Header["user-agent"]) > testLimits.HeaderCutTo {
				t.Fatalf("cut to body %d, query %d, user-agent %d bytes", len(raw.Body), len(raw.Query), len(raw.Header["user-agent"]))
			}
			if utf8.Valid(tt.raw.Body) && !utf8.Valid(raw.Body) || !utf8.ValidString(raw.Query) {
				t.Fatal("cut in the middle of a character")
			}
			if !strings.HasPrefix(string(tt.raw.Body), string(raw.Body)) || !strings.HasPrefix(tt.raw.Query, raw.Query) {
				t.Fatal("what is kept is not the start of the request")
			}
			if n.CutFrom < int64(len(tt.raw.Body)+len(tt.raw.Query)) {
				t.Fatalf("cut from %d bytes, the request had %d", n.CutFrom, len(tt.raw.Body)+len(tt.raw.Query))
			}
			checkTotals(t, db)
		})
	}
}

// A request that made a payment or was a duplicate keeps its outcome and
// everything it was sent with.
func TestAppliedRequestIsNeverCut(t *testing.T) {
	db, _ := openTestDB(t)
	createDevice(t, db)
	createOrder(t, db, app.MethodAlipay, 100)
	big := strings.Repeat("x", 60<<10)
	for _, n := range []app.Notice{
		{DeviceID: 1, SenderID: "a", Text: "收到转账1元", Method: app.MethodAlipay, Amount: 100},
		{DeviceID: 1, SenderID: "a", Text: "收到转账1元", Method: app.MethodAlipay, Amount: 100}, // the duplicate
	} {
		id := saveRaw(t, db, app.RawRequest{Body: []byte(big)})
		n.Kind = app.OutcomePayment
		if _, err := db.ApplyNotice(context.Background(), id, n, ApplyOptions{Policy: policy, NewPaymentID: testID("PAY")}); err != nil {
			t.Fatal(err)
		}
		refuse(t, db, id, app.OutcomeRefused, 0, testLimits)
		raw, outcome, err := db.RawNotification(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if outcome == app.OutcomeRefused || len(raw.Body) != len(big) {
			t.Fatalf("an applied request became %s with %d bytes of body", outcome, len(raw.Body))
		}
	}
	checkTotals(t, db)
}

// Only the newest strangers' requests stay, bounded by count and by bytes;
// requests a known phone sent, whatever became of them, are never deleted.
func TestStrangersAreCappedByCountAndBytes(t *testing.T) {
	body := []byte(strings.Repeat("y", 1000))
	tests := []struct {
		name   string
		limits app.StrangerLimits
		want   int // strangers' requests left of 30
	}{
		{"by count", app.StrangerLimits{CutTo: 2 << 10, HeaderCutTo: 512, MaxRequests: 10, MaxBytes: 5 << 20}, 10},
		{"by bytes", app.StrangerLimits{CutTo: 2 << 10, HeaderCutTo: 512, MaxRequests: 1000, MaxBytes: 7 * 1010}, 7},
		{"both, count tighter", app.StrangerLimits{CutTo: 2 << 10, HeaderCutTo: 512, MaxRequests: 4, MaxBytes: 7 * 1010}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			ctx := context.Background()
			createDevice(t, db)
			createOrder(t, db, app.MethodAlipay, 100)
			// What a known phone sent: a payment, an ignored message, an
			// unreadable one, one waiting to be applied, one given up on.
			kept := []int64{}
			paid := apply(t, db, app.Notice{DeviceID: 1, Text: "收到转账1元", Method: app.MethodAlipay, Amount: 100})
			ignored := apply(t, db, app.Notice{DeviceID: 1, Text: "hello", Kind: app.OutcomeIgnored})
			kept = append(kept, paid.NotificationID, ignored.NotificationID)
			unreadable := saveRaw(t, db, app.RawRequest{Body: body})
			refuse(t, db, unreadable, app.OutcomeInvalid, 1, tt.limits)
			waiting := saveRaw(t, db, app.RawRequest{Body: body})
			failed := saveRaw(t, db, app.RawRequest{Body: body})
			if _, err := db.NoteApplyFailure(ctx, failed, "disk trouble", 1); err != nil {
				t.Fatal(err)
			}
			kept = append(kept, unreadable, waiting, failed)

			var strangers []int64
			for i := 0; i < 30; i++ {
				id := saveRaw(t, db, app.RawRequest{Body: body, RemoteIP: "203.0.113.9"})
				outcome := app.OutcomeRefused
				if i%3 == 0 {
					outcome = app.OutcomeInvalid
				}
				refuse(t, db, id, outcome, 0, tt.limits)
				strangers = append(strangers, id)
			}
			for _, id := range kept {
				if _, err := db.Notification(ctx, id); err != nil {
					t.Fatalf("#%d (sent by a known phone) was deleted: %v", id, err)
				}
			}
			for i, id := range strangers {
				_, err := db.Notification(ctx, id)
				if wantKept := i >= len(strangers)-tt.want; (err == nil) != wantKept {
					t.Fatalf("stranger's request %d of %d: kept %v, want %v (only the newest %d stay)", i+1, len(strangers), err == nil, wantKept, tt.want)
				}
			}
			st := checkTotals(t, db)
			if st.Strangers.Requests != int64(tt.want) || st.Strangers.Bytes > tt.limits.MaxBytes {
				t.Fatalf("strangers take %+v, want %d requests within %d bytes", st.Strangers, tt.want, tt.limits.MaxBytes)
			}
		})
	}
}

// Pruning by age deletes what made no payment and waits for nobody, in
// batches, and keeps every request a payment came from.
func TestPruneKeepsPaymentsAndWork(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	createDevice(t, db)
	createOrder(t, db, app.MethodAlipay, 100)

	old := map[string]int64{}
	old["payment"] = apply(t, db, app.Notice{DeviceID: 1, Text: "收到转账1元", Method: app.MethodAlipay, Amount: 100}).NotificationID
	old["unmatched payment"] = apply(t, db, app.Notice{DeviceID: 1, Text: "收到转账2元", Method: app.MethodAlipay, Amount: 200}).NotificationID
	old["ignored"] = apply(t, db, app.Notice{DeviceID: 1, Text: "hello", Kind: app.OutcomeIgnored}).NotificationID
	old["duplicate"] = apply(t, db, app.Notice{DeviceID: 1, Text: "hello", SenderID: "s", Kind: app.OutcomeIgnored}).NotificationID
	old["duplicate"] = apply(t, db, app.Notice{DeviceID: 1, Text: "hello", SenderID: "s", Kind: app.OutcomeIgnored}).NotificationID
	old["refused"] = saveRaw(t, db, app.RawRequest{Body: []byte("x")})
	refuse(t, db, old["refused"], app.OutcomeRefused, 0, testLimits)
	old["invalid"] = saveRaw(t, db, app.RawRequest{Body: []byte("x")})
	refuse(t, db, old["invalid"], app.OutcomeInvalid, 0, testLimits)
	old["received"] = saveRaw(t, db, app.RawRequest{Body: []byte("x")})
	old["error"] = saveRaw(t, db, app.RawRequest{Body: []byte("x")})
	if _, err := db.NoteApplyFailure(ctx, old["error"], "trouble", 1); err != nil {
		t.Fatal(err)
	}
	// A payment whose notification does not say so (a person's doing, an
	// older paygate): the foreign key keeps it, and so does pruning.
	old["ignored, yet a payment's"] = apply(t, db, app.Notice{DeviceID: 1, Text: "收到转账3元", Method: app.MethodAlipay, Amount: 300}).NotificationID
	if err := db.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET outcome = 'ignored', payment_id = NULL WHERE id = ?`, old["ignored, yet a payment's"])
		return err
	}); err != nil {
		t.Fatal(err)
	}

	clock.Add(100 * 24 * time.Hour)
	recent := apply(t, db, app.Notice{DeviceID: 1, Text: "hello again", Kind: app.OutcomeIgnored}).NotificationID
	for _, id := range []int64{saveRaw(t, db, app.RawRequest{Body: []byte("x")}), saveRaw(t, db, app.RawRequest{Body: []byte("x")})} {
		refuse(t, db, id, app.OutcomeRefused, 0, testLimits)
	}

	cutoff := db.Now().Add(-90 * 24 * time.Hour)
	var pruned []int
	for {
		n, err := db.PruneNotifications(ctx, cutoff, 2)
		if err != nil {
			t.Fatal(err)
		}
		pruned = append(pruned, n)
		if n < 2 {
			break
		}
	}
	if total := sumInts(pruned); total != 5 {
		t.Fatalf("pruned %v (%d in all), want the old ignored, duplicate pair, refused and invalid: 5", pruned, total)
	}
	gone := map[string]bool{"ignored": true, "duplicate": true, "refused": true, "invalid": true}
	for name, id := range old {
		_, err := db.Notification(ctx, id)
		if (err != nil) != gone[name] {
			t.Errorf("old %s request: deleted %v, want %v", name, err != nil, gone[name])
		}
	}
	if _, err := db.Notification(ctx, recent); err != nil {
		t.Errorf("a recent ignored request was pruned")
	}
	checkTotals(t, db)
}

func sumInts(v []int) int {
	s := 0
	for _, n := range v {
		s += n
	}
	return s
}

// createDevice adds the phone #1 the tests' notices come from.
func createDevice(t *testing.T, db *DB) {
	t.Helper()
	d, err := db.CreateDevice(context.Background(), "店里的小米", "device-key-1")
	if err != nil || d.ID != 1 {
		t.Fatalf("device: %+v %v", d, err)
	}
}

// The cap runs for every refused request and pruning in the single writer:
// both must walk an index, and the payment check must seek, not scan.
func TestKeepQueriesUseTheirIndexes(t *testing.T) {
	db, _ := openTestDB(t)
	for _, tt := range []struct {
		name  string
		query string
		args  []any
		want  []string
	}{
		{"strangers' cap", deleteOldestStrangersQuery, []any{1}, []string{"SCAN n USING INDEX notifications_strangers", "payments_notification"}},
		{"pruning", pruneNotificationsQuery, []any{0, 1}, []string{"notifications_outcome (outcome=? AND received_at<?)", "payments_notification"}},
	} {
		plan := queryPlan(t, db, tt.query, tt.args...)
		joined := strings.Join(plan, "; ")
		t.Logf("%s: %s", tt.name, joined)
		for _, w := range tt.want {
			if !strings.Contains(joined, w) {
				t.Errorf("%s: plan %q lacks %q", tt.name, joined, w)
			}
		}
		for _, step := range plan {
			// Walking the strangers' partial index is the point: it holds at most the cap.
			if strings.HasPrefix(step, "SCAN") && step != "SCAN n USING INDEX notifications_strangers" {
				t.Errorf("%s: plan %q scans (%s)", tt.name, joined, step)
			}
		}
	}
}

// A write that meets a full disk (here SQLite's own SQLITE_FULL, from a page
// limit on the writer's connection) fails with the disk_full error and its
// message, not an internal one; once there is room, writes work again.
func TestFullDiskIsTheDiskFullError(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	var pages int64
	if err := db.tx(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages)
	}); err != nil {
		t.Fatal(err)
	}
	setLimit := func(n int64) {
		t.Helper()
		if err := db.tx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `PRAGMA max_page_count = `+strconv.FormatInt(n, 10))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	setLimit(pages + 2)
	big := app.RawRequest{Body: []byte(strings.Repeat("满", 20<<10))}
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		big.ReceivedAt = db.Now()
		big.Endpoint, big.Method = "/webhook", "POST"
		_, err = db.SaveRawNotification(ctx, big)
	}
	if err == nil {
		t.Fatal("the page limit never made a write fail")
	}
	if app.ErrorCode(err) != app.EDISKFULL || !errors.Is(err, ErrDiskFull) {
		t.Fatalf("a write on a full disk: %v (code %s), want disk_full", err, app.ErrorCode(err))
	}
	for lang, want := range map[string][]string{"zh": {"服务器磁盘已满", "腾出磁盘空间", "自己恢复"}, "en": {"The server's disk is full", "free some disk space", "recovers by itself"}} {
		msg := app.ErrorMessage(err, lang)
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s message %q lacks %q", lang, msg, w)
			}
		}
	}
	if app.ErrorRetryAfter(err) <= 0 {
		t.Error("a full disk's error says nothing of when to try again")
	}
	setLimit(1 << 30) // room again
	if _, err := db.SaveRawNotification(ctx, big); err != nil {
		t.Fatalf("after space was freed: %v", err)
	}
	checkTotals(t, db)
}
