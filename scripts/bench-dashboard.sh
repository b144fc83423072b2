#!/bin/bash
# Usage: build ./csat to /tmp/csatbin and copy a 1M-rating store (built by
# `go test -run "^$" -bench Leaderboard ./store`, in $TMPDIR/csat-bench-1000000) to /tmp/lb1m.
# Time from launch to the first leaderboard frame on screen, and resident memory after 5 s.
tmux kill-session -t ff 2>/dev/null
start=$(date +%s%N)
tmux new -d -s ff -x 100 -y 30 "/tmp/csatbin --data-dir /tmp/lb1m"
for i in $(seq 500); do tmux capture-pane -p -t ff 2>/dev/null | grep -q "agent0" && break; sleep 0.01; done; while false && ! tmux capture-pane -p -t ff 2>/dev/null | grep -q "agent0"; do sleep 0.01; done
end=$(date +%s%N)
echo "first frame: $(( (end-start)/1000000 )) ms"
sleep 5
pid=$(pgrep -x csatbin | head -1)
grep -E "VmRSS|VmHWM" /proc/$pid/status
tmux capture-pane -p -t ff | head -8
tmux send-keys -t ff q; sleep 1
