import Foundation

/// A `multipart/form-data` body (RFC 7578) built in memory.
struct MultipartForm {
    let boundary: String
    private(set) var body: [UInt8] = []

    init(boundary: String = "gcx-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()) {
        self.boundary = boundary
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func addField(_ name: String, _ value: String) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n")
        append(value)
        append("\r\n")
    }

    mutating func addFile(_ name: String, filename: String, contentType: String, bytes: [UInt8]) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n")
        append("Content-Type: \(contentType)\r\n\r\n")
        body.append(contentsOf: bytes)
        append("\r\n")
    }

    /// The finished body, with the closing delimiter.
    func finished() -> [UInt8] {
        body + Array("--\(boundary)--\r\n".utf8)
    }

    private mutating func append(_ text: String) {
        body.append(contentsOf: Array(text.utf8))
    }
}
