package serve

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/csat-app/csat/store"
)

func TestAPIServesSavedScenarios(t *testing.T) {
	hs, st := apiServer(t)
	if code, body := get(t, hs.URL+"/api/scenarios", "tok"); code != 200 || body != "[]\n" {
		t.Fatalf("empty list: %d %q", code, body)
	}
	sc := store.Scenario{Name: "drill-1", By: "ann", SavedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Script: "clock 2026-01-01T09:00:00Z\n"}
	if err := st.SaveScenario(sc); err != nil {
		t.Fatal(err)
	}
	code, body := get(t, hs.URL+"/api/scenarios", "tok")
	var list []store.Scenario
	if err := json.Unmarshal([]byte(body), &list); err != nil || code != 200 || len(list) != 1 || list[0] != sc {
		t.Fatalf("list: %d %s %v", code, body, err)
	}
	code, body = get(t, hs.URL+"/api/scenarios/drill-1", "tok")
	var got store.Scenario
	if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 || got != sc {
		t.Fatalf("show: %d %s %v", code, body, err)
	}
	for path, want := range map[string]int{"/api/scenarios/missing": 404, "/api/scenarios/..%2Fetc": 404} {
		if code, _ := get(t, hs.URL+path, "tok"); code != want {
			t.Errorf("%s: %d, want %d", path, code, want)
		}
	}
	if code, _ := get(t, hs.URL+"/api/scenarios/drill-1", ""); code != 401 {
		t.Errorf("without the token: %d", code)
	}
}
