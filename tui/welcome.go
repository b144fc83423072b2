package tui

import "strings"

// storeEmpty reports whether the store has neither teammates nor
// conversations: a first run, shown the welcome screen instead of a board.
func storeEmpty(src Source) (bool, error) {
	tms, err := src.Teammates()
	if err != nil || len(tms) > 0 {
		return false, err
	}
	convs, err := src.Conversations(1)
	return len(convs) == 0, err
}

// becomeAdmin says how a role is given: the --users file of csat serve.
const becomeAdmin = "list yourself as NAME admin KEYTYPE BASE64 in the --users file of csat serve"

// welcomeView is the first run's screen: what to do with an empty store.
func welcomeView(t Theme, width int) string {
	cmd := func(c, what string) string {
		return "    " + t.Accent.Render(fit(c, 38)) + t.Muted.Render(what)
	}
	lines := []string{
		"",
		t.Title.Render("  Welcome to csat: this store is empty."),
		"",
		"  To see the dashboard with data, try one of:",
		cmd("csat --demo", "a demo store with months of ratings"),
		cmd("csat sync intercom --token-file FILE", "pull your Intercom workspace"),
		cmd("csat import intercom FILE", "import an Intercom export"),
		cmd("csat simulate load", "synthetic history (quit this first)"),
		cmd("csat serve --users FILE", "the dashboard over SSH, webhooks"),
		"",
		"  To become admin (admins change settings): here, run",
		cmd("csat teammates add NAME --admin", "the first teammate added is admin"),
		"  (from its next start the dashboard views as $USER, or --as NAME); over",
		"  SSH, list yourself as NAME admin KEYTYPE BASE64 in the --users file of",
		"  csat serve.",
		"",
		t.Muted.Render("  Meanwhile the Simulator (5) plays the rating rules in a sandbox."),
		t.Muted.Render("  This screen goes away as soon as the store has data."),
	}
	for i, l := range lines {
		lines[i] = fit(l, width)
	}
	return strings.Join(lines, "\n")
}
