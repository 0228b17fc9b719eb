import GCXBytes
import GCXThumbnailCodec

extension Entry {
    /// The entry record's body: its chunks in the canonical order.
    public func encodedBody() throws -> [UInt8] {
        try EntryName.validate(name)
        var writer = ByteWriter()
        func chunk(_ type: ChunkType, _ data: [UInt8]) {
            writer.writeUInt8(type.rawValue)
            writer.writeVarint(data.count)
            writer.writeBytes(data)
        }
        chunk(.source, source.encoded())
        chunk(.mode, [mode.rawValue])
        chunk(.prompt, prompt.encoded())
        if let thumbnail { chunk(.thumbnail, thumbnail.encoded()) }
        if let generator { chunk(.generator, generator.encoded()) }
        if let captioner { chunk(.captioner, captioner.encoded()) }
        if let camera { chunk(.camera, camera.encoded()) }
        if let location { chunk(.location, location.encoded()) }
        for unknown in unknownChunks where !unknown.type.isCritical { chunk(unknown.type, unknown.data) }
        return writer.bytes
    }

    /// Parses and checks an entry record's body found at absolute offset `bodyOffset`.
    public static func decode(body: [UInt8], at bodyOffset: Int) throws -> Entry {
        try decodeLocated(body: body, at: bodyOffset).entry
    }

    /// Like `decode`, and also where the prompt chunk starts, so that a prompt that does not
    /// decode can be reported at its own offset.
    public static func decodeLocated(body: [UInt8], at bodyOffset: Int) throws -> (entry: Entry, promptOffset: Int) {
        var reader = ByteReader(body, base: bodyOffset)
        var source: SourceMetadata?
        var mode: CodingMode?
        var prompt: PromptChunk?
        var thumbnail: Thumbnail?
        var thumbnailOffset = 0
        var promptOffset = bodyOffset
        var generator: GeneratorMetadata?
        var captioner: CaptionerMetadata?
        var camera: CameraMetadata?
        var location: LocationMetadata?
        var unknown: [UnknownChunk] = []
        var seen: Set<ChunkType> = []
        var lastCritical = -1

        while !reader.isAtEnd {
            let chunkOffset = reader.offset
            let name = source?.name
            do {
                let type = ChunkType(rawValue: try reader.readUInt8(field: "chunk type"))
                guard type.isLetter else {
                    throw FormatError(.chunkTypeInvalid, at: chunkOffset, "chunk type \(type) is not an ASCII letter")
                }
                let length = try reader.readLength(field: "\(type) chunk length", max: Limits.entryRecordBody)
                guard length <= reader.remaining else {
                    throw FormatError(.truncated, at: chunkOffset,
                                      "\(type) chunk of \(length) bytes runs past the end of its entry (\(reader.remaining) bytes left)")
                }
                var data = try reader.readSubCursor(count: length, field: "\(type) chunk")
                if source == nil && type != .source {
                    throw FormatError(.chunkOrder, at: chunkOffset, "an entry must start with the \"S\" chunk, not \(type)")
                }
                if ChunkType.known.contains(type) {
                    guard !seen.contains(type) else {
                        throw FormatError(.chunkDuplicate, at: chunkOffset, "\(type) chunk appears twice")
                    }
                    seen.insert(type)
                }
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
                guard data.isAtEnd else {
                    throw FormatError(.chunkTrailingBytes, at: data.offset, "\(type) chunk has \(data.remaining) bytes after its last field")
                }
            } catch let error as FormatError {
                throw error.inEntry(name ?? source?.name)
            }
        }

        guard let source else { throw FormatError(.chunkMissing, at: bodyOffset, "entry has no \"S\" (source) chunk") }
        func missing(_ what: String) -> FormatError {
            FormatError(.chunkMissing, at: bodyOffset, "entry has no \(what) chunk", entry: source.name)
        }
        guard let mode else { throw missing("\"M\" (coding mode)") }
        guard let prompt else { throw missing("\"P\" (prompt)") }
        switch (mode, thumbnail) {
        case (.multimodal, nil): throw missing("\"T\" (thumbnail), which a multimodal entry needs,")
        case (.text, .some):
            throw FormatError(.chunkForbidden, at: thumbnailOffset, "a text-mode entry must not have a thumbnail", entry: source.name)
        default: break
        }
        if let thumbnail { try check(thumbnail, of: source, at: thumbnailOffset) }
        var entry = Entry(source: source, mode: mode, prompt: prompt, thumbnail: thumbnail,
                          generator: generator, captioner: captioner, unknownChunks: unknown)
        entry.camera = camera
        entry.location = location
        return (entry, promptOffset)
    }

    /// The thumbnail's recorded size must follow from the scale, and its datastream must agree.
    private static func check(_ thumbnail: Thumbnail, of source: SourceMetadata, at offset: Int) throws {
        let expected = Thumbnail.size(forSourceWidth: source.width, height: source.height, scale: thumbnail.scale)
        guard thumbnail.width == expected.width, thumbnail.height == expected.height else {
            throw FormatError(.thumbnailMismatch, at: offset,
                              "thumbnail is \(thumbnail.width)×\(thumbnail.height) but scale 1/\(thumbnail.scale) of \(source.width)×\(source.height) gives \(expected.width)×\(expected.height)",
                              entry: source.name)
        }
        if thumbnail.codec == .tiny {
            // No header to check: the stream is checked by decoding it, which costs about a millisecond.
            guard thumbnail.width * thumbnail.height <= TinyImageCodec.maxPixels else {
                throw FormatError(.limitExceeded, at: offset, "the tiny thumbnail is \(thumbnail.width)×\(thumbnail.height); codec 3 allows at most \(TinyImageCodec.maxPixels) pixels", entry: source.name)
            }
            do {
                _ = try TinyImageCodec.decode(thumbnail.payload, width: thumbnail.width, height: thumbnail.height)
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
