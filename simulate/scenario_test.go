package simulate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
)

// scenarioFiles are the kept scenarios and the examples of SCENARIOS.md.
func scenarioFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"testdata/scenarios/*.csat", "testdata/examples/*.csat"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d scenario files", len(files))
	}
	return files
}

func parseFile(t *testing.T, name string) *Script {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(name, src)
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	return s
}

// TestScenarios runs every scenario file in memory: no script error, every
// expectation holds.
func TestScenarios(t *testing.T) {
	for _, name := range scenarioFiles(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			s := parseFile(t, name)
			res, err := Run(s, NewMemory(), Options{})
			if err != nil {
				t.Fatalf("script error: %v", err)
			}
			if res.Expectations == 0 {
				t.Fatal("a scenario must expect something")
			}
			for _, f := range res.Failures {
				t.Error(f)
			}
		})
	}
}

// codesByProfile says under which profile each reason code can be reported
// (RULES.md): the coverage test wants each one expected under each.
var codesByProfile = map[domain.Code][]domain.Profile{
	domain.CodeDisabled:             {domain.ProfileIntercom, domain.ProfileOperator},
	domain.CodeDirectOutboundOff:    {domain.ProfileIntercom},
	domain.CodeWorkflowOutboundOff:  {domain.ProfileIntercom},
	domain.CodeNoTeammateReply:      {domain.ProfileIntercom, domain.ProfileOperator},
	domain.CodeTooShort:             {domain.ProfileIntercom, domain.ProfileOperator},
	domain.CodeStale:                {domain.ProfileIntercom, domain.ProfileOperator},
	domain.CodeGroup:                {domain.ProfileIntercom, domain.ProfileOperator},
	domain.CodeAlreadyRequested:     {domain.ProfileOperator},
	domain.CodeNotCustomerStarted:   {domain.ProfileOperator},
	domain.CodeClosedByBot:          {domain.ProfileIntercom, domain.ProfileOperator},
	domain.CodeNoAgentMessage:       {domain.ProfileIntercom},
	domain.CodeOutboundNoFollowup:   {domain.ProfileIntercom},
	domain.CodeNotSupported:         {domain.ProfileOperator},
	domain.CodeNoRequest:            {domain.ProfileIntercom, domain.ProfileOperator},
	domain.CodeInvalidRating:        {domain.ProfileIntercom, domain.ProfileOperator},
	domain.CodeRatingWindowClosed:   {domain.ProfileIntercom},
	domain.CodeChangeWindowClosed:   {domain.ProfileIntercom},
	domain.CodeLockedByComment:      {domain.ProfileIntercom, domain.ProfileOperator},
	domain.CodeCommentWithoutRating: {domain.ProfileIntercom, domain.ProfileOperator},
}

// TestScenariosCoverEveryCode fails when some reason code is never expected
// (expect skipped/refused CODE) under a profile where it applies.
func TestScenariosCoverEveryCode(t *testing.T) {
	seen := map[domain.Profile]map[domain.Code]bool{domain.ProfileIntercom: {}, domain.ProfileOperator: {}}
	for _, name := range scenarioFiles(t) {
		for _, c := range parseFile(t, name).Commands {
			if c.Expect == nil {
				continue
			}
			for _, code := range c.Expect.Codes {
				seen[c.Profile][code] = true
			}
		}
	}
	for _, code := range domain.AllCodes() {
		profiles, known := codesByProfile[code]
		if !known {
			t.Errorf("%s: a new reason code; say under which profiles it applies in codesByProfile and cover it", code)
		}
		for _, p := range profiles {
			if !seen[p][code] {
				t.Errorf("no scenario expects %s under profile %s", code, p)
			}
		}
	}
}

// TestWrongExpectationsFail keeps the harness honest: every kind of
// expectation, written wrong, is reported with its line.
func TestWrongExpectationsFail(t *testing.T) {
	src := strings.Join([]string{
		`start c1 user:ann`,
		`say c1 user:ann "` + strings.Repeat("a", 200) + `"`,
		`say c1 bob "` + strings.Repeat("b", 60) + `"`,
		`close c1 bob`,
		`expect sent to carol`,     // 5
		`expect skipped too_short`, // 6
		`rate c1 user:ann 1`,
		`expect refused no_request`, // 8
		`expect accepted`,
		`expect rating c1 bob 2`,    // 10
		`expect rating c1 bob none`, // 11
		`expect score bob 100%`,     // 12
		`expect score bob none`,     // 13
		`expect ratings team 2`,     // 14
		`expect queue 0`,            // 15
		`expect queue 1`,
		`expect score bob 0%`,
	}, "\n")
	s, err := Parse("wrong.csat", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, NewMemory(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"wrong.csat:5: expected sent to carol, got sent to bob",
		"wrong.csat:6: expected skipped too_short, got sent to bob",
		"wrong.csat:8: expected refused no_request, got accepted",
		"wrong.csat:10: expected rating c1 bob 2, got 1",
		"wrong.csat:11: expected rating c1 bob none, got 1",
		"wrong.csat:12: expected score bob 100%, got 0%",
		"wrong.csat:13: expected score bob none, got 0%",
		"wrong.csat:14: expected ratings team 2, got 1",
		"wrong.csat:15: expected queue 0, got 1",
	}
	var got []string
	for _, f := range res.Failures {
		got = append(got, f.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Expectations != 12 {
		t.Errorf("counted %d expectations, want 12", res.Expectations)
	}
}
