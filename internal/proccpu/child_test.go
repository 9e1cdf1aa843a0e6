package proccpu

import (
	"io"
	"net"
	"os"
	"testing"
)

const childEnv = "PROCCPU_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		ServeChild(func(ln net.Listener) {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				io.WriteString(c, "hello from the child\n")
				c.Close()
			}
		})
		return
	}
	os.Exit(m.Run())
}

func TestStartChild(t *testing.T) {
	addr, pid := StartChild(t, childEnv)
	if pid == os.Getpid() {
		t.Fatal("the child is this process")
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "hello from the child\n" {
		t.Fatalf("read %q, %v", got, err)
	}
}
