import Foundation
import Testing
import GCX
import GCXPromptCoder
import GCXFileIO
import SystemPackage

/// The conformance suite in fixtures/conformance, checked through the library.
@Suite struct ConformanceTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var file: String
        var valid: Bool
        var code: String?
        var testDescription: String { file }
    }

    static let directory = packageRoot + "/fixtures/conformance"
    static let cases: [Case] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json"))
        return try! JSONDecoder().decode([Case].self, from: data)
    }()

    @Test(arguments: cases)
    func fixtureGivesItsExpectedResult(fixture: Case) throws {
        let report = try Validator(promptDecoding: .standard).validate(FileSource(FilePath(Self.directory + "/" + fixture.file)))
        if fixture.valid {
            #expect(report.isValid, "\(report.errors)")
        } else {
            #expect(!report.isValid)
            // The manifest gives the primary code (spec §12.1): the first error reported.
            #expect(report.errors.first?.code.rawValue == fixture.code, "expected \(fixture.code ?? "") first in \(report.errors)")
        }
    }

    @Test func manifestCoversEveryFileAndEveryValidatorCodeWorthAFixture() throws {
        let all = try FileManager.default.subpathsOfDirectory(atPath: Self.directory)
        let files = all.filter { $0.hasSuffix(".gcx") }
        #expect(Set(files) == Set(Self.cases.map(\.file)))
        // Nothing else: no stray inputs (a fuzzer once wrote its finds here).
        let others = all.filter { !$0.hasSuffix(".gcx") && !["manifest.json", "README.md", "valid", "invalid"].contains($0) }
        #expect(others.isEmpty, "\(others.prefix(5))")
        let covered = Set(Self.cases.compactMap(\.code))
        let warnings: Set = [ErrorCode.recordAncillaryUnknown.rawValue, ErrorCode.chunkAncillaryUnknown.rawValue]
        let expected = Set(ErrorCode.allCases.map(\.rawValue)).subtracting(warnings)
        #expect(expected.subtracting(covered).isEmpty, "codes without a fixture: \(expected.subtracting(covered).sorted())")
    }
}
