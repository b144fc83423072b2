// Package report is the contract between csat and whoever reads its
// figures: the row types of `csat report --format json`, `/api/report`,
// `/api/export/ratings`, `/api/export/conversations`, `/api/state`,
// `/api/check`, `csat export` and `csat simulate whatif --format json`.
//
// Every field has an explicit snake_case JSON name and every enum is a word
// ("teammate", "positive", "intercom"), never a Go field name or a number,
// so renaming a Go identifier cannot change what a client reads: the golden
// tests of this package and of serve fail first. Lists are [] when empty,
// never null; a time that never happened is null; percentages are strings
// rounded half up by [domain.Percent], with the exact share beside them
// where a script needs it (score_value).
package report
