import Foundation
import GCXPromptCoder

// Reads JSONL files of {"image", "prompt"} and prints, as JSON, each prompt's coded size and the
// total encode/decode time in the same process (so timings exclude the one-off model priming).
// Usage: gcx-prompt-bench [--model ID] [--repeat N] file.jsonl...
//        gcx-prompt-bench [--model ID] --dump [--adversarial N] file.jsonl...   (JSONL of payloads for decode_ref.py)
//        gcx-prompt-bench [--model ID] --vectors OUT.json
//        gcx-prompt-bench --model-file MODEL.bin file.jsonl...   (coded sizes under a candidate model
//        file, spec B.3's layout, not a registered model: for tools/promptcoder/learning_curve.py)
// --model: the model id to encode with (default: the one gcx writes).
struct Entry: Decodable { let image: String; let prompt: String }
struct Dump: Encodable { let payload: String; let length: Int; let text: String }

var args = Array(CommandLine.arguments.dropFirst())
var modelID = PromptCoder.currentModelID
if let i = args.firstIndex(of: "--model"), i + 1 < args.count, let n = Int(args[i + 1]) {
    guard PromptCoder.supportedModelIDs.contains(n) else {
        FileHandle.standardError.write("model \(n) is not one of \(PromptCoder.supportedModelIDs)\n".data(using: .utf8)!)
        exit(64)
    }
    modelID = n
    args.removeSubrange(i...(i + 1))
}

// gcx-prompt-bench --vectors OUT.json: spec B.8's test vectors (a short text, its payload, and the
// first 128 decoded bits with their probabilities and the coder's interval).
if let i = args.firstIndex(of: "--vectors"), i + 1 < args.count {
    let text = "Type: photograph. Top-left: pale grey sky."
    let payload = PromptCoder.encode(text, modelID: modelID)
    let length = text.utf8.count
    let steps = try PromptCoder.trace(payload, decodedLength: length, bits: 128)
    var json = "{\n  \"about\": \"spec/gcx.md B.8: prompt method 1 test vectors (model \(modelID)). Decoding payload (hex) with decoded_length gives text; primed gives the SHA-256 of each part of the state after priming, serialised as B.8 says; steps are the first decoded bits as [P1, bit, low, high] after each bit, low and high as decoded after the bit's normalisation.\",\n"
    json += "  \"text\": \"\(text)\",\n  \"decoded_length\": \(length),\n"
    json += "  \"payload\": \"\(payload.map { String(format: "%02x", $0) }.joined())\",\n"
    json += "  \"primed\": {\n" + PromptCoder.primedStateDigests(modelID: modelID).map { "    \"\($0.part)\": \"\($0.sha256)\"" }.joined(separator: ",\n") + "\n  },\n"
    json += "  \"steps\": [\n"
    json += steps.map { "    [\($0.p1), \($0.bit), \($0.low), \($0.high)]" }.joined(separator: ",\n")
    json += "\n  ]\n}\n"
    try json.write(toFile: args[i + 1], atomically: true, encoding: .utf8)
    print("wrote \(steps.count) steps to \(args[i + 1])")
    exit(0)
}
// gcx-prompt-bench --model-file MODEL.bin file.jsonl...: one JSON line, the total coded bytes and
// each prompt's, under a model file that is not registered (research: training-data experiments).
var modelFile: String?
if let i = args.firstIndex(of: "--model-file"), i + 1 < args.count {
    modelFile = args[i + 1]
    args.removeSubrange(i...(i + 1))
}
var dump = false
var adversarial = 0
if let i = args.firstIndex(of: "--dump") { dump = true; args.remove(at: i) }
if let i = args.firstIndex(of: "--adversarial"), i + 1 < args.count, let n = Int(args[i + 1]) {
    adversarial = n
    args.removeSubrange(i...(i + 1))
}
var repeats = 20
if let i = args.firstIndex(of: "--repeat"), i + 1 < args.count, let n = Int(args[i + 1]) {
    repeats = n
    args.removeSubrange(i...(i + 1))
}
guard !args.isEmpty else {
    FileHandle.standardError.write("usage: gcx-prompt-bench [--model ID] [--repeat N] file.jsonl...  (or --dump, --vectors OUT.json, --model-file MODEL.bin)\n".data(using: .utf8)!)
    exit(64)
}
var prompts: [Entry] = []
for path in args {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write("cannot read \(path)\n".data(using: .utf8)!)
        exit(1)
    }
    for line in text.split(separator: "\n") where !line.isEmpty {
        prompts.append(try JSONDecoder().decode(Entry.self, from: Data(line.utf8)))
    }
}

if let modelFile {
    guard let blob = FileManager.default.contents(atPath: modelFile) else {
        FileHandle.standardError.write("cannot read \(modelFile)\n".data(using: .utf8)!)
        exit(1)
    }
    do {
        let sizes = try PromptCoder.experimentalSizes(of: prompts.map(\.prompt), modelFile: [UInt8](blob))
        print("{\"model_file\":\"\(modelFile)\",\"total\":\(sizes.reduce(0, +)),\"coded\":\(sizes)}")
        exit(0)
    } catch {
        FileHandle.standardError.write("\(modelFile): not a model file: \(error)\n".data(using: .utf8)!)
        exit(65)
    }
}

if dump {
    var texts = prompts.map(\.prompt) + AdversarialStrings.make(count: adversarial, seed: 2024)
    if adversarial > 0 { texts.append("") }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys  // dumps of two builds compare with cmp
    for t in texts {
        let p = PromptCoder.encode(t, modelID: modelID)
        let hex = p.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        print(String(decoding: try encoder.encode(Dump(payload: hex, length: t.utf8.count, text: t)), as: UTF8.self))
    }
    exit(0)
}

/// CPU time of this thread: on the shared build machine, wall time mostly measures the neighbours.
func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
/// Resident set size now (Linux /proc), MiB; 0 where unavailable.
func residentMiB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}
let rssBefore = residentMiB()  // everything but the coder (runtime, Foundation, corpus)
let t0 = now()
_ = PromptCoder.encode("warm up", modelID: modelID)  // primes the model once
let primeNs = now() - t0
let rssAfterPrime = residentMiB()

var payloads: [[UInt8]] = []
var encNs: UInt64 = 0, decNs: UInt64 = 0, inputBytes = 0
var mismatches = 0
for r in 0..<repeats {
    for e in prompts {
        let a = now()
        let p = PromptCoder.encode(e.prompt, modelID: modelID)
        let b = now()
        let d = try? PromptCoder.decode(p, decodedLength: e.prompt.utf8.count)
        let c = now()
        encNs += b - a; decNs += c - b; inputBytes += e.prompt.utf8.count
        if d != e.prompt { mismatches += 1 }
        if r == 0 { payloads.append(p) }
    }
}
let mem = PromptCoder.memoryUsage()
var usage = rusage()
getrusage(0, &usage)  // 0 = RUSAGE_SELF
let items = zip(prompts, payloads).map { e, p in
    "{\"image\":\"\(e.image)\",\"bytes\":\(e.prompt.utf8.count),\"chars\":\(e.prompt.count),\"coded\":\(p.count)}"
}
print("{\"prompts\":[\(items.joined(separator: ","))],")
print("\"model\":\(modelID),\"prime_ms\":\(Double(primeNs) / 1e6),\"encode_MBps\":\(Double(inputBytes) / Double(encNs) * 1e3),\"decode_MBps\":\(Double(inputBytes) / Double(decNs) * 1e3),")
print("\"coder_shared_MiB\":\(Double(mem.sharedBytes) / 1048576),\"coder_instances\":\(mem.instances),\"coder_instance_MiB\":\(Double(mem.instanceBytes) / 1048576),\"rss_before_coder_MiB\":\(rssBefore),\"rss_after_first_call_MiB\":\(rssAfterPrime),\"rss_end_MiB\":\(residentMiB()),")
print("\"peak_rss_MiB\":\(Double(usage.ru_maxrss) / 1024),\"mismatches\":\(mismatches)}")
