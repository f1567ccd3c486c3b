import CZlib

/// GZip through zlib, with a cap on what inflating may produce (a hostile file's "zip bomb").
enum GZip {
    /// The inflated bytes of `input`; `nil` when it is not a whole GZip stream, and an over-limit
    /// refusal as soon as it would exceed `limit` bytes.
    static func inflate(_ input: [UInt8], limit: Int) throws(InterchangeError) -> [UInt8]? {
        var overLimit = false
        let result = inflate(input, limit: limit, overLimit: &overLimit)
        if overLimit { throw .overLimit("inflated payload size") }
        return result
    }

    private static func inflate(_ input: [UInt8], limit: Int, overLimit: inout Bool) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        let total = input.count
        return input.withUnsafeMutableBufferPointer { inBuffer -> [UInt8]? in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(total)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = UInt32(outBuffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                guard output.count + produced <= limit else {
                    overLimit = true
                    return nil
                }
                output += chunk[0..<produced]
                if status == Z_STREAM_END { return output }
                guard status == Z_OK else { return nil }
                if stream.avail_in == 0 && produced == 0 { return nil }
            }
        }
    }

    /// `input` compressed as one GZip stream.
    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib deflateInit2 failed")
        defer { deflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        let total = input.count
        input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(total)
            while true {
                let result = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = UInt32(outBuffer.count)
                    return CZlib.deflate(&stream, Z_FINISH)
                }
                output += chunk[0..<(chunk.count - Int(stream.avail_out))]
                if result == Z_STREAM_END { break }
            }
        }
        return output
    }
}
