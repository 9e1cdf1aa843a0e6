package fold

import (
	"strings"
	"testing"
)

func TestIndex(t *testing.T) {
	tests := []struct {
		hay, needle string
		want        int
	}{
		{"Hello World", "world", 6},
		{"HELLO", "hello", 0},
		{"abc", "abcd", -1},
		{"aAaAb", "aab", 2},
		{"xyz", "", 0},
		{"123-45", "-4", 3},
		{"ends with A", "a", 10},
		{"xx needle in a haystack", "needle", 3},
		{"NEEDLE", "needle", 0},
		{"needl", "needle", -1},
		{"zzqz", "qz", 2},
		{"order 1234 shipped", "1234 s", 6},
		{"a-b a_b", "a_b", 4},
		{"", "a", -1},
		{"QQQ", "qqq", 0},
		{"xQzQ", "qz", 1},
	}
	for _, tt := range tests {
		if got := IndexString(tt.hay, tt.needle); got != tt.want {
			t.Errorf("IndexString(%q, %q) = %d, want %d", tt.hay, tt.needle, got, tt.want)
		}
		if got := Index([]byte(tt.hay), tt.needle); got != tt.want {
			t.Errorf("Index(%q, %q) = %d, want %d", tt.hay, tt.needle, got, tt.want)
		}
	}
}

// FuzzIndex checks Index against lower-casing both sides and strings.Index.
func FuzzIndex(f *testing.F) {
	f.Add("Hello World", "wor")
	f.Add("zzqz", "qz")
	f.Fuzz(func(t *testing.T, hay, needle string) {
		lower := strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, needle)
		if strings.ContainsFunc(lower, func(r rune) bool { return r >= 0x80 }) {
			return // the package is for ASCII needles
		}
		want := strings.Index(strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, hay), lower)
		if !isASCII(hay) {
			// Byte offsets differ once Map rewrites invalid UTF-8; only compare
			// whether a match exists.
			if (IndexString(hay, lower) >= 0) != (want >= 0) && isValid(hay) {
				t.Fatalf("IndexString(%q, %q) found = %v, want %v", hay, lower, IndexString(hay, lower) >= 0, want >= 0)
			}
			return
		}
		if got := IndexString(hay, lower); got != want {
			t.Fatalf("IndexString(%q, %q) = %d, want %d", hay, lower, got, want)
		}
		if got := Index([]byte(hay), lower); got != want {
			t.Fatalf("Index(%q, %q) = %d, want %d", hay, lower, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isValid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
