package report

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// CSVHeader is a row type's column names: its JSON names, in field order,
// so CSV and JSON spell every column the same.
func CSVHeader(row any) []string {
	t := reflect.TypeOf(row)
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		names = append(names, jsonName(t.Field(i)))
	}
	return names
}

// CSVRecord is a row's cells, in CSVHeader's order: a null is an empty cell.
func CSVRecord(row any) []string {
	v := reflect.ValueOf(row)
	cells := make([]string, v.NumField())
	for i := range cells {
		cells[i] = cell(v.Field(i))
	}
	return cells
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

func cell(v reflect.Value) string {
	if s, ok := v.Interface().(fmt.Stringer); ok {
		return s.String()
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return cell(v.Elem())
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return fmt.Sprint(v.Interface())
}
