package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/csat-app/csat/domain"
)

// User is one line of the users file: a public key that may connect, and
// the teammate and role it stands for.
type User struct {
	Name string
	Role domain.Role
	Key  ssh.PublicKey
}

// Users is the parsed users file, looked up by key.
type Users struct {
	byKey map[string]User // key: the key's wire bytes
	list  []User
}

// ReadUsers parses a users file. Each non-blank line that is not a #
// comment reads
//
//	NAME ROLE KEYTYPE BASE64 [COMMENT]
//
// e.g. "ann admin ssh-ed25519 AAAAC3Nz… ann@laptop". NAME is a teammate name
// ([A-Za-z0-9_.-]+, not team, workflow or fin), ROLE is admin or teammate,
// and the rest is one authorized_keys entry. A person may have many keys;
// a key may name one person only.
func ReadUsers(path string) (*Users, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseUsers(path, data)
}

// ParseUsers parses the content of a users file; name is used in errors.
func ParseUsers(name string, data []byte) (*Users, error) {
	u := &Users{byKey: map[string]User{}}
	roles := map[string]domain.Role{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) < 4 {
			return nil, fmt.Errorf("%s:%d: want NAME ROLE KEYTYPE BASE64 [COMMENT], got %d fields", name, line, len(fields))
		}
		who, err := domain.ParseActor(fields[0])
		if err != nil || !who.IsTeammate() || strings.Contains(fields[0], ":") {
			return nil, fmt.Errorf("%s:%d: name %q: want a teammate name ([A-Za-z0-9_.-]+, not team, workflow or fin)", name, line, fields[0])
		}
		role, err := domain.ParseRole(fields[1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		key, _, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.Join(fields[2:], " ")))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: public key: %v", name, line, err)
		}
		if prev, ok := roles[who.Name]; ok && prev != role {
			return nil, fmt.Errorf("%s:%d: %s is %s on an earlier line and %s here", name, line, who.Name, prev, role)
		}
		roles[who.Name] = role
		id := string(key.Marshal())
		if prev, ok := u.byKey[id]; ok && prev.Name != who.Name {
			return nil, fmt.Errorf("%s:%d: this key already belongs to %s", name, line, prev.Name)
		}
		usr := User{Name: who.Name, Role: role, Key: key}
		u.byKey[id] = usr
		u.list = append(u.list, usr)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(u.list) == 0 {
		return nil, fmt.Errorf("%s: no users: add lines of NAME ROLE KEYTYPE BASE64", name)
	}
	return u, nil
}

// Lookup finds the user a key belongs to.
func (u *Users) Lookup(key ssh.PublicKey) (User, bool) {
	if key == nil {
		return User{}, false
	}
	usr, ok := u.byKey[string(key.Marshal())]
	return usr, ok
}

// Roster lists each teammate once with its role, in file order.
func (u *Users) Roster() []User {
	seen := map[string]bool{}
	var out []User
	for _, x := range u.list {
		if !seen[x.Name] {
			seen[x.Name] = true
			out = append(out, x)
		}
	}
	return out
}
