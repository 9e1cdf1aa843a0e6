package proccpu

import (
	"os"
	"testing"
	"time"
)

func TestTimesOfSelf(t *testing.T) {
	u0, s0, err := Times(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) { // burn CPU so user time grows
	}
	u1, s1, err := Times(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if u1+s1 <= u0+s0 {
		t.Fatalf("CPU time did not grow: %v+%v then %v+%v", u0, s0, u1, s1)
	}
	if _, _, err := Times(-1); err == nil {
		t.Fatal("no error for a missing process")
	}
}
