import Foundation

/// The output sizes each OpenAI image model accepts, and the choice nearest a photo's shape.
public enum OpenAIImageSizes {
    /// Sizes per model family; a model matches the longest key it starts with.
    public static let table: [String: [String]] = [
        "gpt-image-1": ["1024x1024", "1536x1024", "1024x1536"],
        "dall-e-3": ["1024x1024", "1792x1024", "1024x1792"],
        "dall-e-2": ["256x256", "512x512", "1024x1024"],
    ]

    /// Used for models missing from ``table``; a caller may override with `--size`.
    public static let fallback = ["1024x1024", "1536x1024", "1024x1536"]

    public static func sizes(for model: String) -> [String] {
        if let exact = table[model] { return exact }
        let key = table.keys.filter { model.hasPrefix($0) }.max(by: { $0.count < $1.count })
        return key.flatMap { table[$0] } ?? fallback
    }

    /// The allowed size whose aspect ratio is nearest the photo's (ties go to the larger area).
    public static func nearest(width: Int, height: Int, model: String) -> String {
        let target = log(Double(max(1, width)) / Double(max(1, height)))
        let candidates = sizes(for: model).compactMap { size -> (String, Double, Int)? in
            guard let (w, h) = parse(size) else { return nil }
            return (size, abs(log(Double(w) / Double(h)) - target), w * h)
        }
        let best = candidates.min { a, b in
            abs(a.1 - b.1) > 1e-9 ? a.1 < b.1 : a.2 > b.2
        }
        return best?.0 ?? "1024x1024"
    }

    /// Parses `WIDTHxHEIGHT`.
    public static func parse(_ size: String) -> (width: Int, height: Int)? {
        let parts = size.split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else { return nil }
        return (w, h)
    }
}
