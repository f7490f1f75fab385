/// Big-endian loads and stores on raw memory: the only byte order Bacula uses on media (spec §1).
/// Callers check bounds before calling; these helpers do unaligned loads and never allocate.
@usableFromInline
enum BigEndian {
    @inlinable
    static func u32(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable
    static func i32(_ p: UnsafeRawBufferPointer, _ offset: Int) -> Int32 {
        Int32(bitPattern: u32(p, offset))
    }

    @inlinable
    static func u64(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable
    static func store(_ value: UInt32, _ p: UnsafeMutableRawBufferPointer, _ offset: Int) {
        p.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inlinable
    static func store(_ value: Int32, _ p: UnsafeMutableRawBufferPointer, _ offset: Int) {
        store(UInt32(bitPattern: value), p, offset)
    }

    @inlinable
    static func store(_ value: UInt64, _ p: UnsafeMutableRawBufferPointer, _ offset: Int) {
        p.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }
}
