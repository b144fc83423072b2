package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"time"

	"github.com/spf13/cobra"
)

// profiles are the hidden --cpuprofile, --memprofile and --trace flags: a
// CPU profile of the whole command, a heap profile (allocations since
// start, and what is live), for go tool pprof, and an execution trace
// (go tool trace: which goroutines ran when, and what each waited on). The heap profile is
// rewritten every few seconds while the command runs, so that a long
// command's file shows what it held while working, not after closing
// the store; a short one writes it once at the end.
type profiles struct {
	cpuPath, memPath string
	tracePath        string
	cpu, trace       *os.File
	stopHeap         chan struct{}
	heapDone         chan bool // true: a snapshot was written while running
}

const heapSnapshotEvery = 5 * time.Second

func (p *profiles) addFlags(root *cobra.Command) {
	fl := root.PersistentFlags()
	fl.StringVar(&p.cpuPath, "cpuprofile", "", "write a CPU profile of the command to this file")
	fl.StringVar(&p.memPath, "memprofile", "", "write a heap profile to this file when the command ends")
	fl.StringVar(&p.tracePath, "trace", "", "write an execution trace of the command to this file")
	for _, name := range []string{"cpuprofile", "memprofile", "trace"} {
		_ = fl.MarkHidden(name)
	}
}

// start begins the CPU profile and the heap snapshots, as asked for.
func (p *profiles) start() error {
	if p.memPath != "" && p.stopHeap == nil {
		p.stopHeap, p.heapDone = make(chan struct{}), make(chan bool, 1)
		go p.snapshotHeap()
	}
	if err := p.startTrace(); err != nil {
		return err
	}
	if p.cpuPath == "" || p.cpu != nil {
		return nil
	}
	f, err := os.Create(p.cpuPath)
	if err != nil {
		return usageErr(fmt.Errorf("--cpuprofile: %w", err))
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return usageErr(fmt.Errorf("--cpuprofile: %w", err))
	}
	p.cpu = f
	return nil
}

func (p *profiles) startTrace() error {
	if p.tracePath == "" || p.trace != nil {
		return nil
	}
	f, err := os.Create(p.tracePath)
	if err != nil {
		return usageErr(fmt.Errorf("--trace: %w", err))
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return usageErr(fmt.Errorf("--trace: %w", err))
	}
	p.trace = f
	return nil
}

// stop ends the CPU profile and the trace, and writes the heap profile.
func (p *profiles) stop() {
	if p.trace != nil {
		trace.Stop()
		p.trace.Close()
		p.trace = nil
	}
	if p.cpu != nil {
		pprof.StopCPUProfile()
		p.cpu.Close()
		p.cpu = nil
	}
	if p.stopHeap == nil {
		return
	}
	close(p.stopHeap)
	if !<-p.heapDone {
		p.writeHeap()
	}
	p.stopHeap = nil
}

func (p *profiles) snapshotHeap() {
	t := time.NewTicker(heapSnapshotEvery)
	defer t.Stop()
	wrote := false
	for {
		select {
		case <-p.stopHeap:
			p.heapDone <- wrote
			return
		case <-t.C:
			p.writeHeap()
			wrote = true
		}
	}
}

func (p *profiles) writeHeap() {
	f, err := os.Create(p.memPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "csat: --memprofile:", err)
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "csat: --memprofile:", err)
	}
}
