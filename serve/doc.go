// Package serve is the long-running csat process: the one owner of the
// store, serving a live dashboard to every SSH session (wish with its
// bubbletea middleware, styles from each session's own renderer) and the
// HTTP API: POST /webhooks/intercom, GET /healthz, and the token-protected
// GET /api/report, /api/export/ratings and /api/export/conversations,
// whose answers are the row types of package report (the contract: a Go
// rename there fails the golden tests in testdata/api, not a client).
//
// Access is by public key only, from the users file; passwords and
// keyboard-interactive logins are refused. The role a key carries is
// written to the store's roster at start, so the rules themselves refuse a
// settings change by a teammate and the dashboard hides ratings from
// non-admins when the workspace says so. The host key is made once in the
// data directory. The address and the API token file are recorded in
// serve.json there, so other csat commands on the same directory can ask
// this process instead of failing on Badger's lock.
package serve
