package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// WriteArray writes the rows each yields as one JSON array, row by row, so
// an export of any size needs no more memory than a row: "[]" when there
// are none. A failure after the first byte cannot change the status any
// more; the array is then left unclosed, which no JSON reader accepts.
func WriteArray[T any](w io.Writer, each func(fn func(T) error) error) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n := 0
	bw.WriteByte('[')
	err := each(func(row T) error {
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		return enc.Encode(row)
	})
	if err != nil {
		bw.Flush()
		return err
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

// ReadArray calls fn with each element of the JSON array r holds, one at a
// time.
func ReadArray[T any](r io.Reader, fn func(T) error) error {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("want a JSON array: %v", errOr(err, tok))
	}
	for dec.More() {
		var row T
		if err := dec.Decode(&row); err != nil {
			return err
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("the array is cut short: %w", err)
	}
	return nil
}

func errOr(err error, tok json.Token) any {
	if err != nil {
		return err
	}
	return tok
}
