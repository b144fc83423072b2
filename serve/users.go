package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/csat-app/csat/domain"
)

// User is one line of the users file: a public key that may connect, and
// the teammate and role it stands for.
type User struct {
	// Name is the teammate's key: a script's name or an Intercom admin id.
	// It is "" when the file names the teammate by email or display name
	// (Ref); the server looks that up in the store's names (Server.teammate).
	Name string
	Ref  string // the teammate as the file names it
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
// e.g. "ann admin ssh-ed25519 AAAAC3Nz… ann@laptop". NAME is a teammate: a
// script's name or an Intercom admin id ([A-Za-z0-9_.-]+, not team,
// workflow or fin), an email (chloe@example.com), or an exact display name,
// in double quotes when it has spaces ("Chloé Dubois"). ROLE is admin or
// teammate, and the rest is one authorized_keys entry. A person may have
// many keys; a key may name one person only.
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
		ref, fields, err := splitUserLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if len(fields) < 4 {
			return nil, fmt.Errorf("%s:%d: want NAME ROLE KEYTYPE BASE64 [COMMENT], got %d fields", name, line, len(fields))
		}
		key, err := teammateKey(ref, fields[0] != ref)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		role, err := domain.ParseRole(fields[1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		pub, _, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.Join(fields[2:], " ")))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: public key: %v", name, line, err)
		}
		if prev, ok := roles[ref]; ok && prev != role {
			return nil, fmt.Errorf("%s:%d: %s is %s on an earlier line and %s here", name, line, ref, prev, role)
		}
		roles[ref] = role
		id := string(pub.Marshal())
		if prev, ok := u.byKey[id]; ok && prev.Ref != ref {
			return nil, fmt.Errorf("%s:%d: this key already belongs to %s", name, line, prev.Ref)
		}
		usr := User{Name: key, Ref: ref, Role: role, Key: pub}
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
		if !seen[x.Ref] {
			seen[x.Ref] = true
			out = append(out, x)
		}
	}
	return out
}

// splitUserLine reads a line's NAME, which may be "double quoted", and
// returns it with the line's fields (NAME first, as written).
func splitUserLine(text string) (string, []string, error) {
	if !strings.HasPrefix(text, `"`) {
		fields := strings.Fields(text)
		return fields[0], fields, nil
	}
	end := strings.Index(text[1:], `"`)
	if end < 0 {
		return "", nil, fmt.Errorf("name %s: no closing quote", text)
	}
	ref := text[1 : 1+end]
	return ref, append([]string{text[:end+2]}, strings.Fields(text[end+2:])...), nil
}

// teammateKey checks NAME: a teammate's key is returned as is; an email
// or display name returns "" (looked up when the teammate connects).
func teammateKey(ref string, quoted bool) (string, error) {
	switch {
	case strings.TrimSpace(ref) == "" || strings.ContainsFunc(ref, unicode.IsControl):
		return "", fmt.Errorf("name %q: want a teammate name, admin id, email or \"display name\"", ref)
	case quoted:
		return "", nil
	case strings.Contains(ref, "@"):
		return "", nil
	}
	who, err := domain.ParseActor(ref)
	switch {
	case err == nil && who.IsTeammate() && !strings.Contains(ref, ":"):
		return who.Name, nil
	case domain.ValidName(ref) || strings.Contains(ref, ":"):
		return "", fmt.Errorf("name %q: want a teammate name ([A-Za-z0-9_.-]+, not team, workflow or fin), admin id, email or \"display name\"", ref)
	}
	return "", nil // one word of another script: an exact display name
}
