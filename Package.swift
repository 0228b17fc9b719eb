// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "gcx",
    // Only for macOS builds: the prompt coder's model pool uses Synchronization.Mutex.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "GCXBytes", targets: ["GCXBytes"]),
        .library(name: "GCX", targets: ["GCX"]),
        .library(name: "GCXRasterScan", targets: ["GCXRasterScan"]),
        .library(name: "GCXPromptCoder", targets: ["GCXPromptCoder"]),
        .library(name: "GCXThumbnailCodec", targets: ["GCXThumbnailCodec"]),
        .library(name: "GCXConcurrency", targets: ["GCXConcurrency"]),
        .library(name: "GCXFileIO", targets: ["GCXFileIO"]),
        .library(name: "GCXImage", targets: ["GCXImage"]),
        .library(name: "GCXNet", targets: ["GCXNet"]),
        .library(name: "GCXArchiver", targets: ["GCXArchiver"]),
        .executable(name: "gcx", targets: ["gcx"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // FilePath: the one path type of the file-system layer (components, extensions, joining).
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
    ],
    targets: [
        // The base: one byte cursor and writer, varints, CRC-32, PNG/JPEG headers, pixel limits.
        // No dependencies.
        .target(name: "GCXBytes"),
        // The raster-scan description schema: instruction, version, labels, layout check, re-ask policy.
        .target(name: "GCXRasterScan"),
        // The pure format core: records, chunks, index, validator. No file, network or terminal I/O;
        // prompt methods other than stored are registered by the modules that implement them.
        .target(name: "GCX", dependencies: ["GCXBytes", "GCXThumbnailCodec"]),
        // The prompt coders: method 1 (tokenizer and context model on the range coder, integer
        // arithmetic only, its model tables embedded) and method 2 (the built-in describer's form as
        // its choices); registers both with the core. Pure: no I/O.
        .target(name: "GCXPromptCoder", dependencies: ["GCXBytes", "GCX", "GCXRangeCoder", "GCXRasterScan", "CGCXSystem"]),
        // The binary arithmetic coder (spec Appendix B.5) shared by prompt method 1 and the tiny thumbnail codecs.
        .target(name: "GCXRangeCoder"),
        // Thumbnail codecs 3, 4 and 5: integer colour and wavelet transforms, adaptive binary contexts on
        // the range coder, bit-exact by spec Appendix C. Pure: no I/O.
        .target(name: "GCXThumbnailCodec", dependencies: ["GCXRangeCoder"]),
        // CPU and kernel hints Swift cannot spell (prefetch, huge pages), as inline C.
        .target(name: "CGCXSystem"),
        // The one concurrency model: slots bounding concurrent work (CPU lanes, requests in flight),
        // a fixed set of threads for blocking calls, and Ctrl-C and SIGTERM as task cancellation.
        .target(name: "GCXConcurrency", dependencies: ["CGCXSystem"]),
        // Files on disk, every path a FilePath and every failure a FileIOError: what is at a path,
        // folder walks, a confined output folder, a keyed file store, positioned reads, crash-safe
        // writing aside and renaming into place, standard streams.
        .target(name: "GCXFileIO", dependencies: ["GCX", .product(name: "SystemPackage", package: "swift-system")]),
        // libpng, libjpeg-turbo, libwebp, libtiff, giflib and libheif glue. Their error handling longjmps, which Swift cannot survive,
        // so every setjmp lives inside these C functions.
        .target(name: "CGCXImageCodecs", dependencies: ["CGCXSystem"], linkerSettings: [
            .linkedLibrary("png"), .linkedLibrary("jpeg"), .linkedLibrary("webp"), .linkedLibrary("webpdemux"),
            .linkedLibrary("tiff"), .linkedLibrary("gif"),
        ]),
        // Pixels: decoding, encoding, thumbnails (and the tiny ones' scale search), resampling,
        // consistency, the built-in describer.
        .target(name: "GCXImage", dependencies: ["GCXBytes", "GCXRasterScan", "GCXThumbnailCodec", "CGCXImageCodecs"]),
        // libcurl glue: curl_easy_setopt is variadic, which Swift cannot call.
        // libcurl and libheif are opened on first use (dlopen), not linked: with what they load they
        // cost every command several milliseconds of start-up.
        .target(name: "CGCXCurl", dependencies: ["CGCXSystem"]),
        // HTTP clients for captioners and generators: retries, rate limits, keys kept secret.
        .target(name: "GCXNet", dependencies: ["CGCXCurl", "GCXConcurrency"]),
        // Photos in, archive out, reconstructions on demand: what the CLI's pack and extract do.
        .target(name: "GCXArchiver", dependencies: ["GCXBytes", "GCX", "GCXPromptCoder", "GCXThumbnailCodec", "GCXConcurrency", "GCXFileIO", "GCXRasterScan", "GCXImage",
                                                "GCXNet", .product(name: "SystemPackage", package: "swift-system")]),
        // The thin command-line front end.
        .executableTarget(
            name: "gcx",
            dependencies: [
                "GCX", "GCXPromptCoder", "GCXConcurrency", "GCXFileIO", "GCXImage", "GCXArchiver", "GCXNet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Regenerates fixtures/conformance deterministically.
        .executableTarget(name: "gcx-make-fixtures", dependencies: ["GCXBytes", "GCX", "GCXRasterScan", "GCXPromptCoder", "GCXThumbnailCodec"], path: "tools/make-fixtures"),
        // Codes corpus prompts for tools/promptcoder/bench.py and check_ref.sh.
        .executableTarget(name: "gcx-prompt-bench", dependencies: ["GCXPromptCoder"], path: "tools/prompt-bench"),
        // libFuzzer harnesses (tools/fuzz.sh builds them with -D FUZZING and the sanitizers); built
        // normally, a replayer of inputs and a writer of seed corpora.
        .executableTarget(name: "gcx-fuzz", dependencies: ["GCX", "GCXImage", "GCXPromptCoder", "GCXThumbnailCodec"], path: "tools/fuzz",
                          exclude: ["README.md", "seeds", "lsan.supp"]),
        // The tiny thumbnail codecs at byte budgets: thumbnail and reconstruction PSNR, encoding time.
        .executableTarget(name: "gcx-thumb-bench", dependencies: ["GCXImage", "GCXThumbnailCodec"], path: "tools/thumb-bench",
                          exclude: ["check_priors.sh", "EXPERIMENTS.md"]),
        // Measures what list and single-entry reads cost on large archives.
        .executableTarget(name: "gcx-bench-container", dependencies: ["GCXBytes", "GCX", "GCXFileIO"], path: "tools/bench-container"),
        .testTarget(name: "GCXBytesTests", dependencies: ["GCXBytes"]),
        .testTarget(name: "GCXThumbnailCodecTests", dependencies: ["GCX", "GCXThumbnailCodec", "GCXTestSupport"]),
        .testTarget(name: "GCXPromptCoderTests", dependencies: ["GCXBytes", "GCXPromptCoder", "GCX", "GCXTestSupport"]),
        .testTarget(name: "GCXConcurrencyTests", dependencies: ["GCXConcurrency"]),
        .testTarget(name: "GCXFileIOTests", dependencies: ["GCXFileIO", "GCXTestSupport", .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(name: "GCXTests", dependencies: ["GCXBytes", "GCX", "GCXPromptCoder", "GCXFileIO", "GCXTestSupport"]),
        .testTarget(name: "GCXImageTests", dependencies: ["GCXBytes", "GCXRasterScan", "GCXImage", "GCXThumbnailCodec", "GCXTestSupport"], exclude: ["Fixtures"]),
        // What tests share: the fake servers of tools/fake-servers, the second decoders of
        // tools/reference, the ../shared data found one way, a seeded generator, a virtual clock.
        .target(name: "GCXTestSupport", path: "Tests/GCXTestSupport"),
        .testTarget(name: "GCXNetTests", dependencies: ["GCXNet", "GCXRasterScan", "GCXTestSupport"]),
        .testTarget(name: "GCXArchiverTests", dependencies: ["GCXBytes", "GCX", "GCXPromptCoder", "GCXFileIO", "GCXImage", "GCXNet", "GCXArchiver", "GCXThumbnailCodec", "GCXTestSupport",
                                                            .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(name: "GCXCLITests", dependencies: ["GCXBytes", "GCX", "GCXPromptCoder", "GCXThumbnailCodec", "GCXFileIO", "GCXImage", "GCXTestSupport"]),
    ]
)
