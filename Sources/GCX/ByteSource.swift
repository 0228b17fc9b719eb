/// Random-access bytes of an archive. The core reads only through this, so it does no I/O itself:
/// the file layer supplies positioned reads, tests supply arrays.
public protocol ByteSource: AnyObject {
    /// Total size in bytes.
    var size: Int { get }
    /// Exactly `count` bytes starting at `offset`; the caller keeps the range inside `0..<size`.
    func read(at offset: Int, count: Int) throws -> [UInt8]
}

/// An archive held in memory.
public final class MemorySource: ByteSource {
    /// The whole archive.
    public let bytes: [UInt8]
    /// Bytes handed out so far, to show what an operation touched.
    public private(set) var bytesRead = 0

    /// A source over `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Bytes in the archive.
    public var size: Int { bytes.count }

    /// `count` bytes at `offset`, counted in `bytesRead`.
    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        precondition(offset >= 0 && count >= 0 && offset + count <= bytes.count, "read outside the source")
        bytesRead += count
        return Array(bytes[offset..<(offset + count)])
    }
}
