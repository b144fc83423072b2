#!/usr/bin/env bash
# Measures csat on the realistic store of SIZE ratings, the working tree's
# binary beside the previous commit's (or $PREV, any git revision) and beside
# sqlite3 answering the leaderboard from the same rating slots with a
# covering index, in one run.
#
#   scripts/bench-store.sh SIZE        # 100000, 1000000 (the reference), 10000000
#
# SIZE ratings come from SIZE*2.8 conversations of 200 teammates over 330
# days, seed 7, ending 2026-11-30: 1,000,000 is the store of
# `csat simulate load --teammates 200 --conversations 2800000 --days 330
# --seed 7`. Each binary builds its own store once (its load is a row of the
# table), cached under $BENCH_CACHE (default $TMPDIR/csat-bench-store) by
# the flags and the binary's revision; a later run with the same flags and
# revisions only measures. Rows: load (wall, peak RSS, events/s), report
# --period 90d (hyperfine medians; sqlite3), export ratings, check, a
# 30-day what-if, the dashboard's first frame and resident memory (tmux).
# CEILING=1 adds the ingest ceiling's rows (BenchmarkIngestCeiling).
# SKIP="check whatif" (or report, export, dashboard) leaves rows out (the previous binary's check of the
# 1M store took 16 min and 9.4 GB). RUNS sets hyperfine's runs (default 10).
# STORE=DIR measures a store made already (the reference one: STORE=
# /work/bench/ref-1m-6) with both binaries instead of building one each:
# every command on it is read-only, and the dashboard, which writes, runs
# on DASH_STORE=DIR, a copy of it (cp -a; its first open verifies every
# table once), or is left out.
# SITTING=DURATION (timeout(1)'s form: 150m, not 2h30m; default 4h for
# 10000000 and more, none below) builds
# the store in sittings: the load runs for at most DURATION (timeout, then
# SIGINT: it commits the batch in flight and stops), the script exits 3
# saying so, and the same command continues the load where it stopped
# (csat simulate load continues an interrupted load; a kill or a crash
# mid-sitting is continued the same way). Only the new binary builds it,
# keyed by the flags alone, so a sitting may use a later binary than the
# one before (the load refuses a stream that differs); once it finished,
# both binaries are measured on that one store, as with STORE=, and the
# load row sums the sittings (wall, CPU; peak RSS is the largest). The
# 10M store (28M conversations, about 200M events, ~27 GB) is a longer
# run, not in CI: hours of loading on 2 cores (the 1M load ran at 22k
# events/s), hence the sittings. A continuation first draws the events
# committed again without writing them (about 1.3 us of CPU each).
# SITTING=none builds it in one go, as for the smaller sizes.
# Needs hyperfine, sqlite3, GNU time (/usr/bin/time), python3, timeout;
# tmux for the dashboard row.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:?usage: scripts/bench-store.sh SIZE (ratings: 100000, 1000000, 10000000)}
runs=${RUNS:-10}
skip=" ${SKIP:-} "
cache=${BENCH_CACHE:-${TMPDIR:-/tmp}/csat-bench-store}
mkdir -p "$cache"
for tool in hyperfine sqlite3 python3 /usr/bin/time timeout; do
	command -v "$tool" >/dev/null || { echo "bench-store: $tool is missing (apt-get install -y hyperfine sqlite3 time python3)" >&2; exit 2; }
done

conversations=$((size * 14 / 5))
sitting=${SITTING:-none}
[ -z "${SITTING:-}" ] && [ "$size" -ge 10000000 ] && sitting=4h
# timeout(1) takes one number with at most one suffix (150m, not 2h30m);
# refused here, before anything is built, rather than by timeout at the load.
if [ "$sitting" != none ] && ! [[ "$sitting" =~ ^[0-9]+(\.[0-9]+)?[smhd]?$ && "$sitting" =~ [1-9] ]]; then
	echo "bench-store: SITTING=$sitting: want none or one positive number with at most one suffix s, m, h or d (150m, not 2h30m)" >&2
	exit 2
fi
flags="--teammates ${TEAMMATES:-200} --conversations $conversations --days ${DAYS:-330} --seed 7 --end 2026-11-30"
key=$(echo "$flags" | tr -c 'a-z0-9\n' '_')

# build REV OUT: the csat binary of a revision (WORKTREE: the working tree).
build() {
	if [ "$1" = WORKTREE ]; then
		go build -o "$2" ./cmd/csat
		return
	fi
	[ -x "$2" ] && return
	src=$(mktemp -d)
	git archive "$1" | tar -x -C "$src"
	(cd "$src" && go build -o "$2" ./cmd/csat)
	rm -rf "$src"
}
prev_rev=$(git rev-parse --short "${PREV:-HEAD~1}")
new_rev=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- . || new_rev="$new_rev-dirty"
prev_bin=$cache/csat-$prev_rev
new_bin=$cache/csat-new
build "$prev_rev" "$prev_bin"
build WORKTREE "$new_bin"

out=$cache/results-$size.md
: >"$out"
row() { printf '| %s | %s | %s | %s |\n' "$@" | tee -a "$out"; }

# gnu_time CMD...: one run; prints "wall_s peak_MB cpu_s" (user+sys; a load's summary lines go to the results).
# A run that timeout(1) ended (status 124: a sitting) counts, and returns 124.
gnu_time() {
	local t rc=0
	t=$(mktemp)
	/usr/bin/time -v "$@" 2>"$t" | sed -n 1,2p >"$t.out" || rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
		echo "bench-store: failed: $*" >&2
		tail -5 "$t" >&2
		rm -f "$t" "$t.out"
		return 1
	fi
	python3 - "$t" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", s).group(1).split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", s).group(1)) / 1024
cpu = sum(float(re.search(rf"{k} time \(seconds\): (\S+)", s).group(1)) for k in ("User", "System"))
print(f"{secs:.2f}s {rss:.0f}MB {cpu:.2f}s")
PY
	grep -E "^(loaded|continued) " "$t.out" | sed "s|^|load summary: |" >>"$out" || true
	rm -f "$t" "$t.out"
	return "$rc"
}

# build_in_sittings BIN DIR: one sitting of the load into DIR, continuing
# what an earlier one left; DIR.sittings keeps each sitting's figures and
# DIR.load their sum once the load has finished. Exits 3 when the sitting
# ended first.
build_in_sittings() {
	local rc=0 line
	[ -e "$2.sittings" ] || rm -rf "$2"
	echo "building $2 ($flags), a sitting of at most $sitting" >&2
	line=$(gnu_time timeout --signal=INT "$sitting" "$1" --data-dir "$2" simulate load $flags) || rc=$?
	[ -n "$line" ] && echo "$line" >>"$2.sittings"
	case $rc in
	0) ;;
	124)
		echo "bench-store: the sitting of $sitting ended before the load; the same command continues it ($(wc -l <"$2.sittings") sittings so far, in $2.sittings)" >&2
		exit 3
		;;
	*) exit 1 ;;
	esac
	awk '{w += $1; c += $3; if ($2 + 0 > m) m = $2 + 0} END {printf "%.2fs %dMB %.2fs\n", w, m, c}' "$2.sittings" >"$2.load"
}

# Each binary's store: built (and measured) once per flags and binary; in
# sittings, the new binary's only, and both are measured on it.
declare -A store
if [ -z "${STORE:-}" ] && [ "$sitting" != none ]; then
	dir=$cache/store-$key-sittings
	[ -s "$dir.load" ] || build_in_sittings "$new_bin" "$dir"
	STORE=$dir DASH_STORE=${DASH_STORE:-$dir}
	sittings_load=$(cat "$dir.load")
fi
[ -n "${STORE:-}" ] && store[prev]=$STORE && store[new]=$STORE && flags="$flags (STORE=$STORE)"
for which in prev new; do
	[ -n "${STORE:-}" ] && break
	bin=${which}_bin
	dir=$cache/store-$key-$(sha256sum <"${!bin}" | cut -c1-12)
	if [ ! -s "$dir.load" ]; then
		rm -rf "$dir"
		echo "building $dir with $which ($flags)" >&2
		gnu_time "${!bin}" --data-dir "$dir" simulate load $flags >"$dir.tmp"
		mv "$dir.tmp" "$dir.load"
	fi
	store[$which]=$dir
done
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr); prev $prev_rev, new $new_rev; store flags: $flags" | tee -a "$out"
row what "prev ($prev_rev)" "new ($new_rev)" "new/prev"
row --- --- --- ---

ratio() { python3 -c "import re, sys; a, b = (float(re.match(r'[0-9.]*', x).group() or 0) for x in sys.argv[1:]); print(f'{b / a:.2f}' if a else '-')" "$1" "$2"; }
pair() { # LABEL PREV_RESULT NEW_RESULT ("wall peak cpu")
	read -r pw pm pc <<<"$2"
	read -r nw nm nc <<<"$3"
	row "$1 wall" "$pw" "$nw" "$(ratio "$pw" "$nw")"
	[ -n "$pc" ] && row "$1 CPU (user+sys)" "$pc" "$nc" "$(ratio "$pc" "$nc")"
	row "$1 peak RSS" "$pm" "$nm" "$(ratio "$pm" "$nm")"
}
[ -z "${STORE:-}" ] && pair "simulate load (build)" "$(cat "${store[prev]}.load")" "$(cat "${store[new]}.load")"
[ -n "${sittings_load:-}" ] && pair "simulate load (build, new binary, $(wc -l <"${store[new]}.sittings") sittings)" "- - -" "$sittings_load"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
echo "store on disk: $(du -sh "${store[new]}" | cut -f1)" | tee -a "$out"

# report --period 90d, beside sqlite3 over the same rating slots.
if [[ $skip == *" report "* ]]; then
	echo "skipped: report" | tee -a "$out"
else
	db=${STORE:+$cache/store-$(echo "$STORE" | tr -c 'a-z0-9\n' '_')}
	db=${db:-${store[new]}}.sqlite
	if [ ! -s "$db" ]; then
		"$new_bin" export ratings --format csv --data-dir "${store[new]}" >"$db.csv"
		sqlite3 "$db" <<-SQL
	.mode csv
	.import $db.csv slots
	CREATE INDEX rated ON slots(first_rated, agent, value);
	CREATE INDEX requested ON slots(first_requested, agent);
	ANALYZE;
	SQL
		rm "$db.csv"
	fi
	read -r from to < <("$new_bin" report --period 90d --format json --data-dir "${store[new]}" |
		python3 -c 'import json,sys,datetime; r=json.load(sys.stdin); t=datetime.date.fromisoformat(r["to"])+datetime.timedelta(days=1); print(r["from"], t)')
	query="SELECT agent, sum(value=1), sum(value=2), sum(value=3), sum(value=4), sum(value=5), count(*) FROM slots WHERE first_rated >= '$from' AND first_rated < '$to' AND value <> '' GROUP BY agent; SELECT agent, count(*) FROM slots WHERE first_requested >= '$from' AND first_requested < '$to' GROUP BY agent;"
	hyperfine -N --warmup 2 --runs "$runs" --export-json "$cache/report-$size.json" \
		"$prev_bin report --period 90d --data-dir ${store[prev]}" \
		"$new_bin report --period 90d --data-dir ${store[new]}" \
		"sqlite3 $db \"$query\"" >&2
	read -r rp rn rs < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(*["{:.0f}ms".format(x["median"]*1000) for x in r])' "$cache/report-$size.json")
	row "report --period 90d median" "$rp" "$rn" "$(ratio "$rp" "$rn")"
	row "sqlite3, same leaderboard, median" "$rs" "$rs" "new/sqlite3 $(ratio "$rs" "$rn")"
	# On a shared machine the medians move with the load; CPU time less so.
	read -r cp cn cs < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(*["{:.0f}ms".format((x["user"]+x["system"])*1000) for x in r])' "$cache/report-$size.json")
	row "report --period 90d CPU (user+sys, mean)" "$cp" "$cn" "$(ratio "$cp" "$cn")"
	row "sqlite3 CPU (user+sys, mean)" "$cs" "$cs" "new/sqlite3 $(ratio "$cs" "$cn")"
	pair "report --period 90d" "$(gnu_time "$prev_bin" report --period 90d --data-dir "${store[prev]}")" "$(gnu_time "$new_bin" report --period 90d --data-dir "${store[new]}")"
fi

measure() { # NAME ARGS...: one /usr/bin/time run of each binary on its own store
	local name=$1
	shift
	case $skip in *" ${name%% *} "*) echo "skipped: $name" | tee -a "$out"; return ;; esac
	pair "$name" "$(gnu_time "$prev_bin" --data-dir "${store[prev]}" "$@")" "$(gnu_time "$new_bin" --data-dir "${store[new]}" "$@")"
}
measure "export ratings" export ratings
measure "whatif --since 30d" simulate whatif --set users.direct-outbound=off --since 30d
measure "check" check

# The dashboard: launch to the first leaderboard frame, then the resident
# memory (VmRSS) after each of the teammate page (enter, esc), follow-ups,
# achievements and conversations (each paged to its end and back: a page
# reads hundreds of conversations), simulator, settings and the leaderboard
# again, its largest, and the peak (VmHWM) at the end.
# tm is tmux on a server of its own, kept up by a session that only
# sleeps: a server that exited with the last dashboard's session took the
# next session down as it started.
tm() { tmux -L "bench-store-$$" "$@"; }
dashboard() { # BIN DIR: prints "first_frame_ms rss_MB peak_MB"
	local s=bench-store-$$-$RANDOM start end pid rss=0 now
	for _ in $(seq 6000); do [ -e "$2/LOCK" ] || break; sleep 0.02; done # another csat still closing it
	start=$(date +%s%N)
	tm new -d -s "$s" -x 100 -y 30 "exec $1 --data-dir $2 2>>$cache/dashboard.err"
	for _ in $(seq 3000); do tm capture-pane -p -t "$s" 2>/dev/null | grep -q 'team .*%' && break; sleep 0.01; done
	end=$(date +%s%N)
	if ! pid=$(tm display -p -t "$s" '#{pane_pid}' 2>/dev/null); then
		echo "bench-store: the dashboard $1 ended: $(tail -1 "$cache/dashboard.err")" >&2
		echo "- - -"
		return
	fi
	for key in Enter Escape 2 End Home 3 End Home 4 End Home 5 6 1; do
		tm send-keys -t "$s" "$key"
		sleep 2
		now=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status" 2>/dev/null) || {
			echo "bench-store: the dashboard $1 ended: $(tail -1 "$cache/dashboard.err")" >&2
			echo "- - -"
			return
		}
		[ "$now" -gt "$rss" ] && rss=$now
	done
	echo "$(((end - start) / 1000000))ms ${rss}MB $(awk '/VmHWM/ {printf "%.0fMB", $2/1024}' "/proc/$pid/status")"
	tm send-keys -t "$s" q
	for _ in $(seq 500); do [ -e "/proc/$pid" ] || break; sleep 0.02; done
	tm kill-session -t "$s" 2>/dev/null || true # a hang-up ends it as q does
	# It writes the counters summary as it closes, after Badger let go of
	# the lock: the next dashboard would find the store in use, or no
	# summary yet.
	for _ in $(seq 6000); do [ -e "/proc/$pid" ] || [ -e "$2/LOCK" ] || break; sleep 0.02; done
}
dash_prev=${store[prev]} dash_new=${store[new]}
[ -n "${STORE:-}" ] && dash_prev=${DASH_STORE:-} dash_new=${DASH_STORE:-}
if ! command -v tmux >/dev/null || [[ $skip == *" dashboard "* ]]; then
	echo "skipped: dashboard" | tee -a "$out"
elif [ -z "$dash_new" ]; then
	echo "skipped: dashboard (it writes: DASH_STORE=a copy of $STORE)" | tee -a "$out"
else
	tm new -d -s hold "sleep 86400"
	trap 'tm kill-server 2>/dev/null || true' EXIT
	# A first open of each store after its last writer (the summary, the
	# tables' verification) is not what a user waits for every day.
	dashboard "$new_bin" "$dash_new" >/dev/null
	read -r pf pr ph < <(dashboard "$prev_bin" "$dash_prev")
	read -r nf nr nh < <(dashboard "$new_bin" "$dash_new")
	row "dashboard first frame" "$pf" "$nf" "$(ratio "$pf" "$nf")"
	row "dashboard resident, largest after each tab" "$pr" "$nr" "$(ratio "$pr" "$nr")"
	row "dashboard peak RSS, every tab opened" "$ph" "$nh" "$(ratio "$ph" "$nh")"
fi
# The ingest ceiling (CEILING=1; a second load of the whole size, so not
# by default): the new tree's load through the store recording the keys it
# commits, the same keys with a bare Badger WriteBatch on the bulk
# writer's options, and the generator and rules alone, each a process of
# its own (BenchmarkIngestCeiling, store/ceiling_test.go). The figures by
# tenth go to the results below the table; the stream is deleted after.
if [ -n "${CEILING:-}" ]; then
	ceil=$cache/ceiling-$key
	rm -rf "$ceil" && mkdir -p "$ceil"
	go test -c -o "$ceil/store.test" ./store
	declare -A ceiling
	for mode in store bare bare-one rules; do
		ceiling[$mode]=$(CSAT_CEILING_CONVERSATIONS=$conversations CSAT_CEILING_TEAMMATES=${TEAMMATES:-200} \
			CSAT_CEILING_DAYS=${DAYS:-330} CSAT_CEILING_STREAM=$ceil/keys.zst CSAT_CEILING_DIR=$ceil \
			gnu_time sh -c "'$ceil/store.test' -test.run '^\$' -test.bench 'IngestCeiling/$mode\$' -test.benchtime 1x -test.timeout 24h >'$ceil/$mode.out'")
		grep -E "^$mode(:| by tenth)" "$ceil/$mode.out" | tee -a "$out" >&2
	done
	rate() { sed -n "s/^$1: .*: \([0-9]*\) events\/s, \([0-9.]*\) CPU.*/\1 events\/s, \2 us/p" "$ceil/$1.out"; }
	# new: wall, peak RSS, CPU of the process; the last column: events/s
	# and CPU us an event over the whole run.
	row "ingest ceiling: store" - "${ceiling[store]}" "$(rate store)"
	row "ingest ceiling: bare WriteBatch a commit, same keys" - "${ceiling[bare]}" "$(rate bare)"
	row "ingest ceiling: bare, one WriteBatch" - "${ceiling[bare-one]}" "$(rate bare-one)"
	row "ingest ceiling: generator and rules alone" - "${ceiling[rules]}" "$(rate rules)"
	rm -rf "$ceil"
fi
echo "results: $out" >&2
