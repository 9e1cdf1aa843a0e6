package memstore

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64/arm64 transparent huge page.
const hugePage = 2 << 20

// madvHugepage is MADV_HUGEPAGE; madvPopulateWrite is MADV_POPULATE_WRITE
// (Linux 5.14).
const (
	madvHugepage      = 14
	madvPopulateWrite = 23
)

// newSlab allocates a slab and asks the kernel to back the huge-page
// aligned part of it with huge pages (transparent_hugepage=madvise, the
// common setting, honours only such requests). A large allocation comes
// from the Go heap untouched, so the advice precedes the first fault.
// Failure to advise is harmless: the slab works with small pages.
func newSlab() []byte {
	s := make([]byte, slabSize)
	adviseHuge(s)
	return s
}

// newLarge allocates n bytes for one large message, advised as a slab is
// and made resident at once.
func newLarge(n int) []byte {
	b := make([]byte, n)
	adviseHuge(b)
	prefault(b)
	return b
}

// adviseHuge asks for huge pages for the huge-page aligned part of s.
func adviseHuge(s []byte) {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	lo := int((p+hugePage-1)&^(hugePage-1) - p)
	hi := lo + (len(s)-lo)&^(hugePage-1)
	if hi > lo {
		_ = syscall.Madvise(s[lo:hi], madvHugepage)
	}
}

// prefault makes b resident and writable in one system call, as if every
// page of it had been written: on a virtual machine a page fault is costly,
// and a slab fills page after page anyway. Kernels without
// MADV_POPULATE_WRITE refuse it, and the pages then fault in on first use.
func prefault(b []byte) {
	_ = syscall.Madvise(b, madvPopulateWrite)
}
