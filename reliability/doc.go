// Package reliability holds the tests that show csat loses nothing: it
// builds the csat binary, kills it with SIGKILL under load and under
// webhook traffic, drives it into faults (full disk, read-only directory,
// damaged files, a newer schema, a second process) and checks after each
// that every acknowledged event is stored and the log, state and counters
// agree. It has no code of its own; see RELIABILITY.md at the module root.
// Its tests build on Unix only: they signal processes, mount a tmpfs and
// read file-system figures.
package reliability
