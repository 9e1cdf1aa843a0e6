package imapd

import (
	"slices"
	"sort"
	"strings"
)

// seqRange is one element of a sequence set; 0 stands for '*'.
type seqRange struct{ lo, hi uint32 }

// seqSet is a parsed sequence-set (RFC 3501 9), of sequence numbers or
// UIDs depending on the command.
type seqSet []seqRange

// maxSeqRanges bounds the elements of one set.
const maxSeqRanges = 10_000

// parseSeqSet parses "1,3:5,7:*"; ranges may be given in either order.
func parseSeqSet(s string) (seqSet, error) {
	if s == "" {
		return nil, bad("Empty sequence set")
	}
	var set seqSet
	for s != "" {
		if len(set) == maxSeqRanges {
			return nil, bad("Sequence set too long")
		}
		var elem string
		elem, s, _ = strings.Cut(s, ",")
		loS, hiS, isRange := strings.Cut(elem, ":")
		lo, err := parseSeqNumber(loS)
		if err != nil {
			return nil, err
		}
		hi := lo
		if isRange {
			if hi, err = parseSeqNumber(hiS); err != nil {
				return nil, err
			}
		}
		set = append(set, seqRange{lo, hi})
	}
	return set, nil
}

// parseSeqNumber parses a nz-number or '*' (returned as 0).
func parseSeqNumber(s string) (uint32, error) {
	if s == "*" {
		return 0, nil
	}
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, bad("Invalid sequence set")
	}
	n, err := parseNumber(s)
	if err != nil {
		return 0, bad("Invalid sequence set")
	}
	return n, nil
}

// span is a run of view indices [from, to], inclusive.
type span struct{ from, to int }

// resolve returns the indices into v.entries that set names, ascending and
// without duplicates (see spans).
func (v *view) resolve(set seqSet, uid bool) ([]int, error) {
	spans, err := v.spans(set, uid)
	if err != nil {
		return nil, err
	}
	return expandSpans(spans), nil
}

// spans returns the runs of indices into v.entries that set names,
// ascending, merged and without overlaps. For sequence numbers '*' is the last message and a
// number beyond it is an error (RFC 3501 9); '*' in an empty mailbox
// matches nothing. For UIDs, '*' is the highest UID, so n:* always
// includes the last message (RFC 3501 6.4.8), and UIDs that do not exist
// are ignored.
func (v *view) spans(set seqSet, uid bool) ([]span, error) {
	var spans []span
	n := len(v.entries)
	for _, r := range set {
		if uid {
			if sp, ok := v.uidSpan(r); ok {
				spans = append(spans, sp)
			}
			continue
		}
		lo, hi := int(r.lo), int(r.hi)
		if (lo == 0 || hi == 0) && n == 0 {
			continue
		}
		if lo == 0 {
			lo = n
		}
		if hi == 0 {
			hi = n
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if hi > n {
			return nil, errBadSeq
		}
		spans = append(spans, span{lo - 1, hi - 1})
	}
	return mergeSpans(spans), nil
}

// uidSpan maps a UID range to view indices.
func (v *view) uidSpan(r seqRange) (span, bool) {
	n := len(v.entries)
	if n == 0 {
		return span{}, false
	}
	maxUID := v.entries[n-1].UID
	lo, hi := r.lo, r.hi
	if lo == 0 {
		lo = maxUID
	}
	if hi == 0 {
		hi = maxUID
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	from := sort.Search(n, func(i int) bool { return v.entries[i].UID >= lo })
	to := sort.Search(n, func(i int) bool { return v.entries[i].UID > hi }) - 1
	if from > to {
		return span{}, false
	}
	return span{from, to}, true
}

// mergeSpans sorts spans and merges the ones that overlap or touch.
func mergeSpans(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from - b.from })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		last := &merged[len(merged)-1]
		if sp.from <= last.to+1 {
			last.to = max(last.to, sp.to)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// expandSpans lists the indices of merged spans in order.
func expandSpans(merged []span) []int {
	if len(merged) == 0 {
		return nil
	}
	total := 0
	for _, sp := range merged {
		total += sp.to - sp.from + 1
	}
	out := make([]int, 0, total)
	for _, sp := range merged {
		for i := sp.from; i <= sp.to; i++ {
			out = append(out, i)
		}
	}
	return out
}

// appendSet appends UIDs as a compact sequence set ("1:3,7"), in the
// given order (COPYUID pairs source and destination sets by position,
// RFC 4315 3, so they are not sorted).
func appendSet(dst []byte, uids []uint32) []byte {
	for i := 0; i < len(uids); {
		j := i
		for j+1 < len(uids) && uids[j+1] == uids[j]+1 {
			j++
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendUint(dst, uids[i])
		if j > i {
			dst = append(dst, ':')
			dst = appendUint(dst, uids[j])
		}
		i = j + 1
	}
	return dst
}
