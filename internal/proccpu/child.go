package proccpu

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A benchmark that measures a server in a process of its own runs its test
// binary again as that server: StartChild in the benchmark, ServeChild in
// the child, which TestMain calls when the environment variable is set.

// StartChild runs the test binary with env=1 in its environment, waits for
// the address its ServeChild prints, and returns it with the child's pid.
// The child is stopped (its stdin closed) when tb ends.
func StartChild(tb testing.TB, env string) (addr string, pid int) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("server process: %v", err)
	}
	return strings.TrimSpace(line), cmd.Process.Pid
}

// ServeChild is the child side of StartChild: it listens on 127.0.0.1:0,
// starts serve on the listener, prints the address, and returns once its
// stdin is closed.
func ServeChild(serve func(net.Listener)) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go serve(ln)
	fmt.Println(ln.Addr())
	io.Copy(io.Discard, os.Stdin)
}
