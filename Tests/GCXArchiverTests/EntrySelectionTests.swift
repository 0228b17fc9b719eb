import Testing
import GCX
import GCXArchiver

@Suite struct EntrySelectionTests {
    static let names = ["a.png", "phone/IMG_0001.jpg", "phone/IMG_0002.heic", "phone/2024/x.jpg", "phones.png", "[odd].png"]
    static let rows = names.enumerated().map { index, name in
        IndexRow(offset: 16 + index * 100, summary: EntrySummary(name: name, width: 8, height: 8, mode: .text, promptBytes: 1, thumbnailBytes: 0, recordLength: 100))
    }

    func chosen(_ patterns: [String]) -> [String] {
        EntrySelection(patterns).select(from: Self.rows).rows.map(\.summary.name)
    }

    @Test func namesFoldersAndDotSlash() {
        #expect(chosen([]) == Self.names)
        #expect(chosen(["a.png"]) == ["a.png"])
        #expect(chosen(["./a.png"]) == ["a.png"])
        #expect(chosen(["phone"]) == ["phone/IMG_0001.jpg", "phone/IMG_0002.heic", "phone/2024/x.jpg"])
        #expect(chosen(["phone/"]) == chosen(["phone"]))
        #expect(chosen(["phone/2024/"]) == ["phone/2024/x.jpg"])
    }

    @Test func globs() {
        #expect(chosen(["phone/*"]) == ["phone/IMG_0001.jpg", "phone/IMG_0002.heic", "phone/2024/x.jpg"])
        #expect(chosen(["*.jpg"]) == ["phone/IMG_0001.jpg", "phone/2024/x.jpg"])
        #expect(chosen(["phone/IMG_000?.*"]) == ["phone/IMG_0001.jpg", "phone/IMG_0002.heic"])
        #expect(chosen(["[ab]*"]) == ["a.png"])
        #expect(chosen(["[!a]*.png"]) == ["phones.png", "[odd].png"])
        #expect(chosen(["ph*"]) == ["phone/IMG_0001.jpg", "phone/IMG_0002.heic", "phone/2024/x.jpg", "phones.png"])
        #expect(chosen(["p?one/20[0-9][0-9]"]) == ["phone/2024/x.jpg"], "a glob naming a folder chooses what is under it")
        #expect(chosen(["[odd].png"]).isEmpty, "a class, not the literal name")
        #expect(chosen(["[[]odd].png"]) == ["[odd].png"])
    }

    @Test func eachRowOnceInArchiveOrderAndUnmatchedPatternsReported() {
        let (rows, unmatched) = EntrySelection(["phone/*", "*.heic", "nothing/*"]).select(from: Self.rows)
        #expect(rows.map(\.summary.name) == ["phone/IMG_0001.jpg", "phone/IMG_0002.heic", "phone/2024/x.jpg"])
        #expect(unmatched == ["nothing/*"])
    }

    @Test func pathologicalGlobsStayLinear() {
        let name = String(repeating: "a", count: 2_000)
        #expect(!EntrySelection.matches(String(repeating: "*a", count: 200) + "b", name: name))
    }
}
