package record

// SkipBefore moves the iterator past the records whose offsets are below
// offset, so that the next call to [Iterator.Next] returns the first
// record at or after it. It reads only what it needs of each record it
// passes (the length, the timestamp delta to step over and the offset
// delta), not keys, values or headers, which makes looking up one record
// in a large batch cheap.
//
// The records passed are checked as far as they are read: a length or an
// offset delta that cannot be right ends the iteration with a
// *CorruptError, as Next would. SkipBefore reports whether the iteration
// can go on.
func (it *Iterator) SkipBefore(offset int64) bool {
	if !it.begin() {
		return false
	}
	section := it.section
	for it.left > 0 {
		// A record begins:
		//
		//	length         varint  bytes after this field
		//	attributes     int8    unused
		//	timestampDelta varint
		//	offsetDelta    varint
		//	...            key, value, headers
		length, body := varint32At(section, it.pos)
		if body < 0 || length < minRecordSize-1 || int(length) > len(section)-body {
			it.fail("record length")
			return false
		}
		end := body + int(length)
		_, pos := varintAt(section[:end], body+1)
		offDelta, pos := varint32At(section[:end], pos)
		if pos < 0 || int64(offDelta) <= it.prev || offDelta > it.lastDelta {
			it.fail("offset delta %d", offDelta)
			return false
		}
		if it.baseOffset+int64(offDelta) >= offset {
			return true
		}
		it.prev = int64(offDelta)
		it.pos = end
		it.left--
		it.next++
	}
	return true
}
