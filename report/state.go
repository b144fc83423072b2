package report

import (
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
)

// State is what `/api/state` answers: the server's clock ("now" for its
// periods), the time of the newest event stored, the log's length, the
// data directory and the settings in force.
type State struct {
	Now      time.Time `json:"now"`
	Latest   time.Time `json:"latest"`
	Seq      uint64    `json:"seq"`
	Dir      string    `json:"dir"`
	Settings Settings  `json:"settings"`
}

// Settings are the settings by their CLI names, each value as the settings
// panel spells it: {"users.csat": "on", "workspace.profile": "intercom", …}.
type Settings map[string]string

// NewSettings spells out every setting.
func NewSettings(st domain.Settings) Settings {
	out := Settings{}
	for _, k := range domain.AllSettingKeys() {
		out[k.String()] = st.Get(k)
	}
	return out
}

// Domain reads the settings back; a key it does not know, or a value the
// rules refuse, is an error naming it. Missing keys keep their defaults.
func (s Settings) Domain() (domain.Settings, error) {
	st := domain.DefaultSettings()
	for name, value := range s {
		k, err := domain.ParseSettingKey(name)
		if err != nil {
			return st, fmt.Errorf("settings: %w", err)
		}
		if err := st.Set(k, value); err != nil {
			return st, fmt.Errorf("settings: %w", err)
		}
	}
	return st, nil
}
