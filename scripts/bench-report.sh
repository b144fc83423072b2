#!/usr/bin/env bash
# Times `csat report --period 90d` as a whole process on a store of 1,000,000
# ratings (200 teammates, 365 days), beside sqlite3 answering the same
# leaderboard from the same rating slots with a covering index.
#
#   scripts/bench-report.sh            # needs hyperfine, sqlite3, GNU time
#
# The store is built once by the store benchmarks under $TMPDIR/csat-bench-1000000.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=${TMPDIR:-/tmp}
store=$tmp/csat-bench-1000000
bin=$tmp/csat-bench-bin
db=$tmp/csat-bench-1000000.sqlite

go test -run '^$' -bench 'Leaderboard/ratings=1000000$' -benchtime 1x ./store >/dev/null
go build -o "$bin" ./cmd/csat

if [ ! -s "$db" ]; then
	"$bin" export ratings --format csv --data-dir "$store" >"$tmp/csat-bench-ratings.csv"
	rm -f "$db"
	sqlite3 "$db" <<SQL
.mode csv
.import $tmp/csat-bench-ratings.csv slots
CREATE INDEX rated ON slots(first_rated, agent, value);
CREATE INDEX requested ON slots(first_requested, agent);
ANALYZE;
SQL
	rm "$tmp/csat-bench-ratings.csv"
fi

# The same 90 days as the report: the 90 UTC days ending with the store clock's day.
read -r from to < <("$bin" report --period 90d --format json --data-dir "$store" |
	python3 -c 'import json,sys,datetime; r=json.load(sys.stdin); t=datetime.date.fromisoformat(r["to"])+datetime.timedelta(days=1); print(r["from"], t)')
rated="SELECT agent, sum(value=1), sum(value=2), sum(value=3), sum(value=4), sum(value=5), count(*) FROM slots WHERE first_rated >= '$from' AND first_rated < '$to' AND value <> '' GROUP BY agent"
surveys="SELECT agent, count(*) FROM slots WHERE first_requested >= '$from' AND first_requested < '$to' GROUP BY agent"
query="$rated; $surveys;"

echo "== query plan"
sqlite3 "$db" "EXPLAIN QUERY PLAN $rated"
sqlite3 "$db" "EXPLAIN QUERY PLAN $surveys"
echo "== wall time"
hyperfine -N --warmup 3 --runs 30 \
	"$bin report --period 90d --data-dir $store" \
	"sqlite3 $db \"$query\""
echo "== peak RSS"
for cmd in "$bin report --period 90d --data-dir $store"; do
	/usr/bin/time -v $cmd 2>&1 >/dev/null | grep -E 'Maximum resident|Elapsed'
done
/usr/bin/time -v sqlite3 "$db" "$query" 2>&1 >/dev/null | grep -E 'Maximum resident|Elapsed'
