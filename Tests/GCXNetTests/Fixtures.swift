import Foundation
import Testing

/// Small fixtures that live with the tests (users of the package do not have ../shared).
enum Fixtures {
    static let instruction = """
        Scan the picture in raster order: the top third first, then the middle third, then the bottom third. \
        Answer in exactly this form, one field per line:
        Type: <...>. Style: <...>. Lighting: <...>. Palette: <...>.
        Top-left: <...>
        Composition: <...>.
        """

    /// Two realistic captioner answers (from corpus/prompts-clic.jsonl).
    static let captions = [
        "Type: photograph. Style: low-key studio portrait. Lighting: soft key light from front-right, dark falloff on the left, plain dark backdrop. Palette: charcoal grey, near-black, warm brown skin, black.\nTop-left: plain dark charcoal-grey studio backdrop with slight gradient.\nTop-center: man's short black hair styled up; face with dark eyes looking at the camera, ear on the left.\nTop-right: continues the dark grey backdrop.\nMiddle-left: left shoulder and sleeve of a grey textured wool blazer with notched lapel.\nMiddle-center: full black beard; right hand raised to the chin; black shirt collar; blazer sleeve with four cuff buttons.\nMiddle-right: continues the dark grey backdrop, empty.\nBottom-left: lower grey blazer body with a pocket flap, fading into shadow.\nBottom-center: left hand tucked under the bent right arm; buttoned blazer front; black trousers.\nBottom-right: black trouser leg extending to the right edge; dark backdrop.\nComposition: vertical three-quarter-length portrait, seated man turned slightly left with face toward the camera, placed left of center, head in the upper third, plain dark background.",
        "Type: photograph. Style: natural landscape. Lighting: \"soft\" overcast daylight. Palette: slate grey, moss green, white.\nTop-left: flat slate-grey sky.\nTop-center: continues the sky; thin power line crossing.\nTop-right: continues the sky.\nMiddle-left: dark green pine forest on a slope.\nMiddle-center: white farmhouse with a red roof and \"ALM 1902\" painted on the gable.\nMiddle-right: continues the forest, lighter green.\nBottom-left: moss-green meadow with yellow flowers.\nBottom-center: gravel track leading to the house.\nBottom-right: continues the meadow; wooden fence post.\nComposition: eye-level landscape, farmhouse centred, horizon slightly above the middle, deep focus.",
    ]

    /// A plausible answer that breaks the layout (markdown, merged lines).
    static let badCaption = "**Type:** photograph\n- Top: sky\n- Middle: a house\n- Bottom: grass"

    static let key = "sk-test-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()

    /// The shared corpus beside the checkout; its absence fails the test that asks, loudly.
    static var sharedCorpus: URL? {
        (try? SharedData.corpusFile("prompts-clic.jsonl")).map { URL(fileURLWithPath: $0) }
    }

    static let missingCorpus = Comment(rawValue: SharedData.Missing(path: SharedData.corpus + "/prompts-clic.jsonl", variable: "GCX_CORPUS").description)

    /// Fast-failing options so retry tests stay short.
    /// Options for tests: short timeouts, and budgets and waits on a virtual clock, so retries take
    /// no real time and a busy test machine cannot use a budget up.
    static func fastOptions(timeout: Double = 10, maxAttempts: Int = 3, maxConcurrent: Int = 4,
                            requestsPerMinute: Int? = nil, clock: any Clock<Duration> = VirtualClock()) -> HTTPClientOptions {
        var options = HTTPClientOptions(timeout: timeout, connectTimeout: 2, maxAttempts: maxAttempts, maxTotalTime: 30,
                                        maxConcurrent: maxConcurrent, requestsPerMinute: requestsPerMinute,
                                        backoffBase: 0.05, backoffMax: 0.2)
        options.clock = clock
        return options
    }
}

import GCXNet
import GCXTestSupport
