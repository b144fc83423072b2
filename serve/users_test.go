package serve

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

const (
	keyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGYMGQ9c2oZnWl6Nc3kHf4h/TrqM1x1kWOcJN/dTEm+C ann@laptop"
	keyB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOn0OA5JEtIZ0TKqpE0xYrS0jdQm5PNpI8s4w3ZP+uXt"
)

func TestParseUsers(t *testing.T) {
	u, err := ParseUsers("users", []byte("# team\nann admin "+keyA+"\n\nbob teammate "+keyB+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := u.Roster()
	if len(r) != 2 || r[0].Name != "ann" || r[0].Role != domain.RoleAdmin || r[1].Name != "bob" || r[1].Role != domain.RoleTeammate {
		t.Fatalf("roster %+v", r)
	}
	if got, ok := u.Lookup(r[1].Key); !ok || got.Name != "bob" {
		t.Fatalf("lookup: %+v %v", got, ok)
	}
}

func TestParseUsersNamesTheBadLine(t *testing.T) {
	cases := []struct{ content, want string }{
		{"ann boss " + keyA, "users:1: invalid role \"boss\""},
		{"\nteam admin " + keyA, "users:2: name \"team\""},
		{"user:ann admin " + keyA, "users:1: name \"user:ann\""},
		{"ann admin ssh-ed25519 AAAAnotbase64", "users:1: public key"},
		{"ann admin", "users:1: want NAME ROLE KEYTYPE BASE64"},
		{"ann admin " + keyA + "\nbob admin " + keyA, "users:2: this key already belongs to ann"},
		{"ann admin " + keyA + "\nann teammate " + keyB, "users:2: ann is admin on an earlier line and teammate here"},
		{"# nobody\n", "users: no users"},
	}
	for _, tc := range cases {
		if _, err := ParseUsers("users", []byte(tc.content)); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want prefix %q", tc.content, err, tc.want)
		}
	}
}

// keygen makes an ed25519 key pair with ssh-keygen and returns the private
// key's path and the public line.
func keygen(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := exec.Command("cat", path+".pub").Output()
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.TrimSpace(string(pub))
}

// The users file may name a teammate by admin id, email or exact display
// name (quoted when it has spaces); the store's names resolve it.
func TestUsersByAdminIDEmailOrName(t *testing.T) {
	u, err := ParseUsers("users", []byte(`5017001 admin `+keyA+`
"山田 太郎" teammate `+keyB+`
chloe@example.com admin `+keyA+`
`))
	if err == nil {
		t.Fatal("one key for two people accepted")
	}
	u, err = ParseUsers("users", []byte(`"山田 太郎" teammate `+keyB+`
Chloé@Example.com admin `+keyA+`
`))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := u.Roster()
	if _, err := teammate(st, r[0]); err == nil || !strings.Contains(err.Error(), "has been seen yet") {
		t.Fatalf("unknown name: %v", err)
	}
	if _, err := st.ApplyBatch([]domain.Event{
		{Kind: domain.EvName, Actor: domain.Teammate("5017005"), Text: "山田 太郎"},
		{Kind: domain.EvName, Actor: domain.Teammate("5017001"), Text: "Chloé Dubois", By: "chloé@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"5017005", "5017001"} {
		if got, err := teammate(st, r[i]); err != nil || got != want {
			t.Errorf("%q → %q %v, want %s", r[i].Ref, got, err, want)
		}
	}
	if _, err := st.ApplyBatch([]domain.Event{{Kind: domain.EvName, Actor: domain.Teammate("5017009"), Text: "山田 太郎"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := teammate(st, r[0]); err == nil || !strings.Contains(err.Error(), "use an admin id") {
		t.Fatalf("two teammates of one name: %v", err)
	}
	for _, bad := range []string{`"unclosed admin ` + keyA, `"" admin ` + keyA} {
		if _, err := ParseUsers("users", []byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "users:1: name") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
