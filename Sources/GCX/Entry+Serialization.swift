import GCXBytes
import GCXThumbnailCodec

/// Bits of a version 2 entry head's `entry_flags` (spec/gcx.md §5.3).
enum HeadFlag {
    static let multimodal: UInt8 = 1 << 0
    static let captureTime: UInt8 = 1 << 1
    static let utcOffset: UInt8 = 1 << 2
    static let orientation: UInt8 = 1 << 3
    static let fullHash: UInt8 = 1 << 4
    static let chunks: UInt8 = 1 << 5
    static let known: UInt8 = 0b11_1111
}

extension Entry {
    /// The entry record's body as `format` codes it: version 1's chunks in the canonical order, or
    /// version 2's head, chunks and prompt payload, leaving out chunks equal to the file's defaults.
    public func encodedBody(format: ArchiveFormat = ArchiveFormat()) throws -> [UInt8] {
        try EntryName.validate(name)
        var writer = ByteWriter()
        switch format.version {
        case .v1:
            guard source.contentHash.count == SHA256.digestSize else {
                throw FormatError(.fieldInvalid, at: 0, "a version 1 entry keeps the whole SHA-256; \(quoted(name)) has \(source.contentHash.count) bytes of it", entry: name)
            }
            writer.writeChunk(.source, source.encoded())
            writer.writeChunk(.mode, [mode.rawValue])
            writer.writeChunk(.prompt, prompt.encoded())
            writeOtherChunks(&writer, defaults: EntryDefaults())
        case .v2:
            guard source.contentHash.count == SHA256.digestSize || source.contentHash.count == SourceMetadata.truncatedHashSize else {
                throw FormatError(.fieldInvalid, at: 0, "a content hash is 8 or 32 bytes of SHA-256; \(quoted(name)) has \(source.contentHash.count)", entry: name)
            }
            var chunks = ByteWriter()
            writeOtherChunks(&chunks, defaults: format.defaults)
            var flags: UInt8 = mode == .multimodal ? HeadFlag.multimodal : 0
            if source.captureTime != nil { flags |= HeadFlag.captureTime }
            if source.utcOffsetMinutes != nil { flags |= HeadFlag.utcOffset }
            if source.orientation != nil { flags |= HeadFlag.orientation }
            if source.contentHash.count == SHA256.digestSize { flags |= HeadFlag.fullHash }
            if !chunks.bytes.isEmpty { flags |= HeadFlag.chunks }
            writer.writeString(name)
            writer.writeUInt8(flags)
            writer.writeVarint(source.width)
            writer.writeVarint(source.height)
            writer.writeVarint(source.originalSize)
            writer.writeBytes(source.contentHash)
            source.writeOptionalFields(&writer)
            writer.writeVarint(prompt.method.rawValue)
            writer.writeVarint(prompt.decodedLength)
            if !chunks.bytes.isEmpty {
                writer.writeVarint(chunks.bytes.count)
                writer.writeBytes(chunks.bytes)
            }
            writer.writeBytes(prompt.payload)
        }
        return writer.bytes
    }

    /// Every chunk after the source, mode and prompt, in the order a writer puts them.
    private func writeOtherChunks(_ writer: inout ByteWriter, defaults: EntryDefaults) {
        if let thumbnail { writer.writeChunk(.thumbnail, thumbnail.encoded()) }
        if let generator, generator != defaults.generator { writer.writeChunk(.generator, generator.encoded()) }
        if let captioner, captioner != defaults.captioner { writer.writeChunk(.captioner, captioner.encoded()) }
        if let camera { writer.writeChunk(.camera, camera.encoded()) }
        if let location { writer.writeChunk(.location, location.encoded()) }
        for unknown in unknownChunks where !unknown.type.isCritical { writer.writeChunk(unknown.type, unknown.data) }
    }

    /// Parses and checks an entry record's body found at absolute offset `bodyOffset`.
    public static func decode(body: [UInt8], at bodyOffset: Int, format: ArchiveFormat) throws -> Entry {
        try decodeLocated(body: body, at: bodyOffset, format: format).entry
    }

    /// Like `decode`, and also where the prompt starts, so that a prompt that does not decode can
    /// be reported at its own offset.
    public static func decodeLocated(body: [UInt8], at bodyOffset: Int, format: ArchiveFormat) throws -> (entry: Entry, promptOffset: Int) {
        var reader = ByteReader(body, base: bodyOffset)
        var parts = Parts()
        switch format.version {
        case .v1: try parts.readVersion1(&reader)
        case .v2: try parts.readVersion2(&reader)
        }
        guard let source = parts.source, let mode = parts.mode, let prompt = parts.prompt else {
            throw FormatError(.chunkMissing, at: bodyOffset, "entry has no \(parts.source == nil ? "\"S\" (source)" : parts.mode == nil ? "\"M\" (coding mode)" : "\"P\" (prompt)") chunk",
                              entry: parts.source?.name)
        }
        switch (mode, parts.thumbnail) {
        case (.multimodal, nil):
            throw FormatError(.chunkMissing, at: bodyOffset, "entry has no \"T\" (thumbnail) chunk, which a multimodal entry needs", entry: source.name)
        case (.text, .some):
            throw FormatError(.chunkForbidden, at: parts.thumbnailOffset, "a text-mode entry must not have a thumbnail", entry: source.name)
        default: break
        }
        if let thumbnail = parts.thumbnail { try check(thumbnail, of: source, at: parts.thumbnailOffset) }
        var entry = Entry(source: source, mode: mode, prompt: prompt, thumbnail: parts.thumbnail,
                          generator: parts.generator ?? format.defaults.generator,
                          captioner: parts.captioner ?? format.defaults.captioner, unknownChunks: parts.unknown)
        entry.camera = parts.camera
        entry.location = parts.location
        return (entry, parts.promptOffset)
    }

    /// What an entry body holds, gathered as it is read.
    private struct Parts {
        var source: SourceMetadata?
        var mode: CodingMode?
        var prompt: PromptChunk?
        var promptOffset = 0
        var thumbnail: Thumbnail?
        var thumbnailOffset = 0
        var generator: GeneratorMetadata?
        var captioner: CaptionerMetadata?
        var camera: CameraMetadata?
        var location: LocationMetadata?
        var unknown: [UnknownChunk] = []
        var seen: Set<ChunkType> = []

        /// Version 1: chunks only, `S` first, then `M`, `P`, `T` in order among the others.
        mutating func readVersion1(_ reader: inout ByteReader) throws {
            var lastCritical = -1
            while !reader.isAtEnd {
                let chunkOffset = reader.offset
                do {
                    var (type, data) = try reader.readChunk()
                    if source == nil && type != .source {
                        throw FormatError(.chunkOrder, at: chunkOffset, "an entry must start with the \"S\" chunk, not \(type)")
                    }
                    try noteOnce(type, at: chunkOffset)
                    if let rank = ChunkType.criticalOrder.firstIndex(of: type) {
                        guard rank > lastCritical else {
                            throw FormatError(.chunkOrder, at: chunkOffset, "\(type) chunk comes after \(ChunkType.criticalOrder[lastCritical]); the order is S, M, P, T")
                        }
                        lastCritical = rank
                    }
                    switch type {
                    case .source: source = try SourceMetadata.decode(&data)
                    case .mode:
                        let value = try data.readUInt8(field: "coding mode")
                        guard let parsed = CodingMode(rawValue: value) else {
                            throw FormatError(.modeInvalid, at: chunkOffset + 2, "coding mode \(value) is unknown (0 = text, 1 = multimodal)")
                        }
                        mode = parsed
                    case .prompt:
                        promptOffset = chunkOffset
                        prompt = try PromptChunk.decode(&data)
                    default: try readOther(type, &data, at: chunkOffset)
                    }
                    guard data.isAtEnd else {
                        throw FormatError(.chunkTrailingBytes, at: data.offset, "\(type) chunk has \(data.remaining) bytes after its last field")
                    }
                } catch let error as FormatError {
                    throw error.inEntry(source?.name)
                }
            }
        }

        /// Version 2: the head (name, flags, sizes, hash, prompt method and length), the chunks
        /// when flagged, and the prompt payload filling the rest.
        mutating func readVersion2(_ reader: inout ByteReader) throws {
            let name = try SourceMetadata.readName(&reader)
            do {
                let flagsOffset = reader.offset
                let flags = try reader.readUInt8(field: "entry flags")
                guard flags & ~HeadFlag.known == 0 else {
                    throw FormatError(.fieldInvalid, at: flagsOffset, "entry flag bits 0x\(String(flags & ~HeadFlag.known, radix: 16)) are undefined")
                }
                guard flags & HeadFlag.utcOffset == 0 || flags & HeadFlag.captureTime != 0 else {
                    throw FormatError(.fieldInvalid, at: flagsOffset, "a UTC offset is flagged without a capture time")
                }
                var source = try SourceMetadata.readSizes(&reader, name: name)
                let hashSize = flags & HeadFlag.fullHash != 0 ? SHA256.digestSize : SourceMetadata.truncatedHashSize
                source.contentHash = try reader.readBytes(count: hashSize, field: "SHA-256 of the original")
                try source.readOptionalFields(&reader, captureTime: flags & HeadFlag.captureTime != 0, utcOffset: flags & HeadFlag.utcOffset != 0,
                                              orientation: flags & HeadFlag.orientation != 0, flagsOffset: flagsOffset)
                self.source = source
                mode = flags & HeadFlag.multimodal != 0 ? .multimodal : .text
                promptOffset = reader.offset
                let method = PromptMethod(rawValue: try reader.readVarint(field: "prompt method"))
                let decodedLength = try reader.readLength(field: "decoded prompt length", max: Limits.promptBytes)
                if flags & HeadFlag.chunks != 0 {
                    let lengthOffset = reader.offset
                    let length = try reader.readLength(field: "chunks length", max: reader.remaining)
                    guard length > 0 else {
                        throw FormatError(.fieldInvalid, at: lengthOffset, "chunks are flagged but their length is 0")
                    }
                    var chunks = try reader.readSubCursor(count: length, field: "chunks")
                    while !chunks.isAtEnd {
                        let chunkOffset = chunks.offset
                        var (type, data) = try chunks.readChunk()
                        try noteOnce(type, at: chunkOffset)
                        guard type == .thumbnail || !type.isCritical else {
                            throw FormatError(.chunkUnknownCritical, at: chunkOffset, "critical chunk \(type) is unknown to a version 2 reader (its entries have no S, M or P chunks)")
                        }
                        try readOther(type, &data, at: chunkOffset)
                        guard data.isAtEnd else {
                            throw FormatError(.chunkTrailingBytes, at: data.offset, "\(type) chunk has \(data.remaining) bytes after its last field")
                        }
                    }
                }
                prompt = PromptChunk(method: method, decodedLength: decodedLength,
                                     payload: try reader.readBytes(count: reader.remaining, field: "prompt payload"))
            } catch let error as FormatError {
                throw error.inEntry(name)
            }
        }

        /// A chunk type of the table may appear once.
        mutating func noteOnce(_ type: ChunkType, at offset: Int) throws {
            guard ChunkType.known.contains(type) else { return }
            guard seen.insert(type).inserted else {
                throw FormatError(.chunkDuplicate, at: offset, "\(type) chunk appears twice")
            }
        }

        /// The chunks both versions share: thumbnail, ancillary information, unknown ancillary.
        mutating func readOther(_ type: ChunkType, _ data: inout ByteReader, at chunkOffset: Int) throws {
            switch type {
            case .thumbnail:
                thumbnailOffset = chunkOffset
                thumbnail = try Thumbnail.decode(&data)
            case .generator: generator = try GeneratorMetadata.decode(&data)
            case .captioner: captioner = try CaptionerMetadata.decode(&data)
            case .camera: camera = try CameraMetadata.decode(&data)
            case .location: location = try LocationMetadata.decode(&data)
            default:
                guard !type.isCritical else {
                    throw FormatError(.chunkUnknownCritical, at: chunkOffset, "critical chunk \(type) is unknown to this reader")
                }
                unknown.append(UnknownChunk(type: type, data: try data.readBytes(count: data.remaining, field: "\(type) chunk")))
            }
        }
    }

    /// The thumbnail's recorded size must follow from the scale, and its datastream must agree.
    private static func check(_ thumbnail: Thumbnail, of source: SourceMetadata, at offset: Int) throws {
        let expected = Thumbnail.size(forSourceWidth: source.width, height: source.height, scale: thumbnail.scale)
        guard thumbnail.width == expected.width, thumbnail.height == expected.height else {
            throw FormatError(.thumbnailMismatch, at: offset,
                              "thumbnail is \(thumbnail.width)×\(thumbnail.height) but scale 1/\(thumbnail.scale) of \(source.width)×\(source.height) gives \(expected.width)×\(expected.height)",
                              entry: source.name)
        }
        if let variant = thumbnail.codec.tinyVariant {
            // No header to check: the stream is checked by decoding it, which costs about a millisecond.
            guard thumbnail.width * thumbnail.height <= TinyImageCodec.maxPixels else {
                throw FormatError(.limitExceeded, at: offset, "the tiny thumbnail is \(thumbnail.width)×\(thumbnail.height); codec \(thumbnail.codec.rawValue) allows at most \(TinyImageCodec.maxPixels) pixels", entry: source.name)
            }
            do {
                _ = try TinyImageCodec.decode(thumbnail.payload, width: thumbnail.width, height: thumbnail.height, variant: variant)
            } catch {
                throw FormatError(.thumbnailInvalid, at: offset, "thumbnail tiny payload: \(error)", entry: source.name)
            }
            return
        }
        guard let format = thumbnail.codec.imageFormat else { return }
        let info: ImageHeader
        do {
            info = try ImageHeader.parse(thumbnail.payload, as: format)
        } catch {
            throw FormatError(.thumbnailMismatch, at: offset, "thumbnail \(thumbnail.codec) payload: \(error)", entry: source.name)
        }
        guard info.width == thumbnail.width, info.height == thumbnail.height else {
            throw FormatError(.thumbnailMismatch, at: offset,
                              "thumbnail datastream is \(info.width)×\(info.height) but the chunk says \(thumbnail.width)×\(thumbnail.height)",
                              entry: source.name)
        }
        if thumbnail.codec == .jpeg && !info.isBaselineJPEG {
            throw FormatError(.thumbnailMismatch, at: offset, "thumbnail JPEG is not baseline (SOF0)", entry: source.name)
        }
    }
}
