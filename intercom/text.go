package intercom

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Text turns a message body into the plain text customers read. Intercom
// bodies are HTML; a body is read as HTML only when it holds an element
// tag (<p>, <br>, <a …>…), so a plain-text body ("a < b, c > d", "AT&T") is
// kept as written. In HTML, block elements and <br> separate words,
// inline ones (<b>, <a>, <span>) do not, entities are decoded, and
// <script>, <style> and comments are dropped. Runs of space collapse to
// one. Its length in code points is what the length rule counts.
func Text(body string) string {
	if !isHTML(body) {
		return strings.Join(strings.Fields(body), " ")
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
	skip := atom.Atom(0) // inside <script> or <style>: drop until its end tag
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Script || a == atom.Style {
				skip = a
			}
			if !inline[a] {
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == skip {
				skip = 0
			}
			if !inline[a] {
				b.WriteByte(' ')
			}
		}
	}
}

// isHTML reports whether body holds a start or end tag of a known HTML
// element; text that merely contains < or & is plain.
func isHTML(body string) bool {
	if !strings.Contains(body, "<") {
		return false
	}
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if atom.Lookup(name) != 0 {
				return true
			}
		}
	}
}

// inline elements continue the word they sit in: "<b>Chlo</b>é" is one word.
var inline = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true, atom.Cite: true,
	atom.Code: true, atom.Data: true, atom.Dfn: true, atom.Em: true, atom.Font: true, atom.I: true,
	atom.Kbd: true, atom.Mark: true, atom.Q: true, atom.S: true, atom.Samp: true, atom.Small: true,
	atom.Span: true, atom.Strike: true, atom.Strong: true, atom.Sub: true, atom.Sup: true,
	atom.Time: true, atom.Tt: true, atom.U: true, atom.Var: true, atom.Wbr: true, atom.Ins: true, atom.Del: true,
	atom.Script: false, atom.Style: false,
}
