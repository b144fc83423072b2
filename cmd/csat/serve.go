package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/serve"
	"github.com/csat-app/csat/store"
)

func init() { commands = append(commands, newServeCmd) }

type serveFlags struct {
	ssh, http, users, secretFile, tokenFile string
	noSync                                  bool
	sync                                    serveSync // sync.go
	idleTimeout                             time.Duration
	maxSessions                             int
}

func newServeCmd(g *globals) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve --users FILE",
		Short: "Serve the shared dashboard over SSH and receive Intercom webhooks",
		Long: `serve owns the store and keeps running: every SSH session gets its own
live dashboard, and POST /webhooks/intercom feeds it from Intercom.

Only the public keys listed in --users may connect; each line reads
NAME ROLE KEYTYPE BASE64 [COMMENT], ROLE admin or teammate. The webhook
secret comes from --webhook-secret-file or $CSAT_WEBHOOK_SECRET. GET
/api/report, /api/export/ratings and /api/export/conversations (JSON, the
rows of csat report --format json and csat export) need "Authorization:
Bearer TOKEN" with the token of --api-token-file (default: one made once in
the data directory).

With --sync-every 10m and --intercom-token-file, it also pulls from
Intercom's REST API at that interval (first at start), as csat sync
intercom does.

While it runs, csat report, export, check, import, sync, forget and
simulate on the same data directory run inside it (through the socket
DATA_DIR/csat.sock) instead of opening the store, so history is backfilled
while webhooks keep arriving. SIGTERM or Ctrl-C shuts it down cleanly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(g, f)
		},
	}
	cmd.Flags().StringVar(&f.ssh, "ssh", "127.0.0.1:23234", "SSH address of the dashboard")
	cmd.Flags().StringVar(&f.http, "http", "127.0.0.1:8080", "HTTP address of the webhook and the API")
	cmd.Flags().StringVar(&f.users, "users", "", "file of allowed public keys: NAME ROLE KEYTYPE BASE64 per line (required)")
	cmd.Flags().StringVar(&f.secretFile, "webhook-secret-file", "", "file holding the Intercom app's client secret (default $CSAT_WEBHOOK_SECRET)")
	cmd.Flags().StringVar(&f.tokenFile, "api-token-file", "", "file holding the API token (default DATA_DIR/api-token, made once)")
	cmd.Flags().DurationVar(&f.idleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "close a dashboard after this long without a key press")
	cmd.Flags().IntVar(&f.maxSessions, "max-sessions", serve.DefaultMaxSessions, "dashboards served at once; more are told so and closed")
	cmd.Flags().BoolVar(&f.noSync, "no-sync", false, "acknowledge webhooks before fsync (faster; loses the last writes on power loss, not on a crash)")
	f.sync.flags(cmd)
	return cmd
}

func runServe(g *globals, f serveFlags) error {
	softMemoryLimit(128 << 20)
	if f.users == "" {
		return usageErr(errors.New("serve: --users FILE is required (lines of NAME ROLE KEYTYPE BASE64)"))
	}
	users, err := serve.ReadUsers(f.users)
	if err != nil {
		return usageErr(fmt.Errorf("serve: %w", err))
	}
	syncOpt, err := f.sync.options(g)
	if err != nil {
		return usageErr(fmt.Errorf("serve: %w", err))
	}
	secret := os.Getenv("CSAT_WEBHOOK_SECRET")
	if f.secretFile != "" {
		if secret, err = serve.ReadSecret(f.secretFile); err != nil {
			return usageErr(fmt.Errorf("serve: --webhook-secret-file: %w", err))
		}
	}
	if f.idleTimeout <= 0 || f.maxSessions <= 0 {
		return usageErr(fmt.Errorf("serve: --idle-timeout %s and --max-sessions %d must be positive", f.idleTimeout, f.maxSessions))
	}
	if secret == "" {
		return usageErr(errors.New("serve: no webhook secret: give --webhook-secret-file or set $CSAT_WEBHOOK_SECRET"))
	}
	dir, err := store.DefaultDir(g.dataDir)
	if err != nil {
		return usageErr(err)
	}
	tokenFile := f.tokenFile
	if tokenFile == "" {
		tokenFile = filepath.Join(dir, "api-token")
		if err := ensureToken(dir, tokenFile); err != nil {
			return usageErr(fmt.Errorf("serve: %w", err))
		}
	}
	if tokenFile, err = filepath.Abs(tokenFile); err != nil {
		return usageErr(err)
	}
	token, err := serve.ReadSecret(tokenFile)
	if err != nil {
		return usageErr(fmt.Errorf("serve: --api-token-file: %w", err))
	}
	st, err := store.Open(noticeUpgrade(store.Options{Dir: dir, SyncWrites: !f.noSync}))
	if err != nil {
		if info, ok := serverAddress(dir); ok {
			return usageErr(fmt.Errorf("serve: %w\nit is already served: %s", err, info.SSHCommand()))
		}
		return usageErr(fmt.Errorf("serve: %w", err))
	}
	logger := log.New(os.Stderr, "csat serve: ", log.LstdFlags)
	srv, err := serve.New(serve.Config{
		Store: st, DataDir: dir, SSHAddr: f.ssh, HTTPAddr: f.http, Users: users,
		WebhookSecret: []byte(secret), APIToken: token, TokenFile: tokenFile, Logger: logger,
		WhatIf:      whatIfFor(st),
		IdleTimeout: f.idleTimeout, MaxSessions: f.maxSessions,
		Ready: func(i serve.Info) {
			fmt.Printf("csat serve: dashboard: %s   webhook: http://%s/webhooks/intercom\n", i.SSHCommand(), i.HTTP)
		},
	})
	if err != nil {
		st.Close()
		return usageErr(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopOwner := startOwner(dir, st, srv.Ingester(), logger) // other csat commands here run in this process (owner.go)
	stopSync := f.sync.start(ctx, srv.Ingester(), syncOpt, logger)
	runErr := srv.Run(ctx)
	stopSync()
	stopOwner()
	if err := st.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("closing the store: %w", err)
	}
	if runErr != nil {
		return failedErr(fmt.Errorf("serve: %w", runErr))
	}
	logger.Printf("stopped; store closed")
	return nil
}

// ensureToken makes the default API token once, readable by its owner only.
func ensureToken(dir, path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return serve.WriteFileAtomic(path, []byte(serve.NewToken()+"\n"), 0o600)
}
