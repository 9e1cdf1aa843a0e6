package leaktest

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// blockHere is a function of this package that blocks until release is
// closed, standing for a leaked server goroutine.
func blockHere(started *sync.WaitGroup, release chan struct{}) {
	started.Done()
	<-release
}

func TestFind(t *testing.T) {
	t.Run("in a subtest", testFind)
}

func testFind(t *testing.T) {
	const pkg = "intray/internal/leaktest"
	if left := Find(pkg); len(left) != 0 {
		t.Fatalf("found %d goroutines before starting any:\n%s", len(left), left)
	}
	var started sync.WaitGroup
	release := make(chan struct{})
	started.Add(1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		blockHere(&started, release)
	}()
	started.Wait()
	// After Done the goroutine may still be runnable for a moment before it
	// blocks on release; Find counts only blocked ones, so yield until it
	// is (a real leak is blocked for good).
	deadline := time.Now().Add(5 * time.Second)
	left := Find(pkg)
	for len(left) == 0 && time.Now().Before(deadline) {
		runtime.Gosched()
		left = Find(pkg)
	}
	if len(left) != 1 {
		t.Fatalf("found %d goroutines, want the blocked one", len(left))
	}
	if left := Find("intray/elsewhere"); len(left) != 0 {
		t.Fatalf("found %d goroutines of another package", len(left))
	}
	close(release)
	<-done
	Check(t, pkg) // the goroutine returned: at most its exit is pending
}
