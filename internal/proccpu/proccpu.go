// Package proccpu serves benchmarks that measure a server running in a
// process of its own: it starts that process (StartChild, ServeChild) and
// reads its CPU time from /proc/PID/stat (Linux).
package proccpu

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat times; 100 on Linux.
const clockTicks = 100

// Times returns the user and system CPU time the process pid has used.
func Times(pid int) (user, sys time.Duration, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("cpu time of %d: %w", pid, err)
	}
	// Fields after the parenthesised command name: state is field 3 of the
	// line, utime 14 and stime 15.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 > len(data) {
		return 0, 0, fmt.Errorf("cpu time of %d: malformed stat %q", pid, data)
	}
	f := bytes.Fields(data[i+2:])
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("cpu time of %d: short stat %q", pid, data)
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("cpu time of %d: bad stat %q", pid, data)
	}
	tick := time.Second / clockTicks
	return time.Duration(ut) * tick, time.Duration(st) * tick, nil
}
