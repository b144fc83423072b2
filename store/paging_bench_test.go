package store

import (
	"os"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// benchStore opens the store in $CSAT_BENCH_STORE (one made by `csat
// simulate load`, or the 1M-rating reference store) read-only: the store
// must be at the current schema (upgrade a copy of an older one with a
// writable open first).
//
//	CSAT_BENCH_STORE=/tmp/load go test -run '^$' -bench 'Page|TeammatePage' -benchtime 200x ./store
func benchStore(b *testing.B) *Store {
	dir := os.Getenv("CSAT_BENCH_STORE")
	if dir == "" {
		b.Skip("CSAT_BENCH_STORE names no store")
	}
	// A writable open would change a shared store (its close writes the
	// value log and the counters summary).
	s, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// positions finds the cursors at the start, the middle and near the end of
// the conversation list, reading it once in big pages.
func positions(b *testing.B, s *Store) (cursors map[string]string, n int) {
	var all []string
	q := PageQuery{Limit: maxPage}
	for {
		p, err := s.ConversationPage(q)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, p.Cursors...)
		if !p.More {
			break
		}
		q = PageQuery{After: p.Cursors[len(p.Cursors)-1], Limit: maxPage}
	}
	if len(all) < 1000 {
		b.Fatalf("only %d conversations", len(all))
	}
	return map[string]string{"first": all[0], "middle": all[len(all)/2], "last": all[len(all)-150]}, len(all)
}

// BenchmarkConversationPage reads one page (100 rows, what the dashboard
// reads at an edge of its window) after a row at the start, the middle and
// the end of the list, and the list's last page.
func BenchmarkConversationPage(b *testing.B) {
	s := benchStore(b)
	at, n := positions(b, s)
	b.Logf("%d conversations", n)
	for _, name := range []string{"first", "middle", "last"} {
		b.Run("after="+name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p, err := s.ConversationPage(PageQuery{After: at[name], Limit: 100})
				if err != nil || len(p.Items) != 100 {
					b.Fatalf("%d items, %v", len(p.Items), err)
				}
			}
		})
	}
	b.Run("before=last", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if p, err := s.ConversationPage(PageQuery{Before: at["last"], Limit: 100}); err != nil || len(p.Items) != 100 {
				b.Fatalf("%d items, %v", len(p.Items), err)
			}
		}
	})
	b.Run("end", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.ConversationPage(PageQuery{Last: true, Limit: 200}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAchievementPage reads a page of 100 positive ratings from the
// middle of the feed.
func BenchmarkAchievementPage(b *testing.B) {
	s := benchStore(b)
	var mid string
	q := PageQuery{Limit: maxPage}
	for i := 0; ; i++ {
		p, err := s.AchievementPage(q)
		if err != nil || len(p.Items) == 0 {
			b.Fatal(err)
		}
		mid = p.Cursors[len(p.Cursors)-1]
		if !p.More || i == 20 {
			break
		}
		q = PageQuery{After: mid, Limit: maxPage}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.AchievementPage(PageQuery{After: mid, Limit: 100}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTeammatePage is the reads of a teammate page's first frame for
// the agent with the most ratings, over all time and 90 days: the
// leaderboard (counters and chart), their open follow-ups and the first
// page of their ratings.
func BenchmarkTeammatePage(b *testing.B) {
	s := benchStore(b)
	agent, most := mostRatedTeammate(s)
	b.Logf("%s: %d ratings", agent, most)
	for _, period := range []string{"90d", "all"} {
		b.Run(period, func(b *testing.B) {
			p, _ := ParsePeriod(period, s.Latest())
			cpu := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := s.Leaderboard(p); err != nil {
					b.Fatal(err)
				}
				if _, err := s.FollowUps(FollowUpFilter{Agent: agent}); err != nil {
					b.Fatal(err)
				}
				pg, err := s.AgentRatings(agent, p, PageQuery{Limit: 200})
				if err != nil || len(pg.Items) == 0 {
					b.Fatalf("%d ratings, %v", len(pg.Items), err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkTeammatePageFiltered is BenchmarkTeammatePage's 90 days under
// a filter of the board (messenger): the filtered leaderboard, the
// teammate's follow-ups and first page of ratings of that segment.
func BenchmarkTeammatePageFiltered(b *testing.B) {
	s := benchStore(b)
	agent, _ := mostRatedTeammate(s)
	f, _ := domain.ParseFilter("messenger", "", "")
	p, _ := ParsePeriod("90d", s.Latest())
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := s.LeaderboardOf(p, f); err != nil {
			b.Fatal(err)
		}
		if _, err := s.FollowUps(FollowUpFilter{Agent: agent, Segments: f}); err != nil {
			b.Fatal(err)
		}
		pg, err := s.AgentRatingsOf(agent, p, f, PageQuery{Limit: 200})
		if err != nil || len(pg.Items) == 0 {
			b.Fatalf("%d ratings, %v", len(pg.Items), err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkWhatIf30Days is the settings preview's what-if of the last 30
// days (users' direct outbound surveys off), read through the index of
// decisions: the window's decisions, and the workspace events and the
// conversations that read the override.
func BenchmarkWhatIf30Days(b *testing.B) {
	s := benchStore(b)
	since := s.Latest().AddDate(0, 0, -30)
	overrides := []simulate.Override{{Key: domain.SettingKey{Scope: "users", Name: "direct-outbound"}, Value: "off"}}
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		rep, err := simulate.WhatIfOfDecisions(s.WhatIfWindow, overrides, since)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.Logf("%d events replayed, %d closes, %d now skipped", rep.Events, rep.Actual.Closes, rep.NowSkipped)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkAgentFollowUps is the teammate page's follow-up read alone, for
// the agent with the most ratings.
func BenchmarkAgentFollowUps(b *testing.B) {
	s := benchStore(b)
	agent, most := mostRatedTeammate(s)
	items, err := s.FollowUps(FollowUpFilter{Agent: agent})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d ratings, %d open follow-ups", agent, most, len(items))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.FollowUps(FollowUpFilter{Agent: agent}); err != nil {
			b.Fatal(err)
		}
	}
}

// mostRatedTeammate is the teammate with the most ratings of all time.
func mostRatedTeammate(s *Store) (agent domain.Actor, most int) {
	most = -1
	for _, a := range s.Agents() {
		if c := s.AllTime(a); a.IsTeammate() && c.Rated() > most {
			agent, most = a, c.Rated()
		}
	}
	return agent, most
}
