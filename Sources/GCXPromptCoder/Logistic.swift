/// Fixed-point logistic functions (spec/gcx.md §B.4.1), as in lpaq1: probabilities in 1/4096,
/// the logit domain in 1/256 units clamped to -2047...2047.
enum Logistic {
    private static let points: [Int] = [
        1, 2, 3, 6, 10, 16, 27, 45, 73, 120, 194, 310, 488, 747, 1101, 1546,
        2047, 2549, 2994, 3348, 3607, 3785, 3901, 3975, 4022, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094,
    ]

    /// 4096 / (1 + e^(-d/256)), by interpolation between 33 points.
    static func squash(_ d: Int) -> Int {
        if d > 2047 { return 4095 }
        if d < -2047 { return 0 }
        let w = d & 127
        let i = (d >> 7) + 16
        return (points[i] * (128 - w) + points[i + 1] * w + 64) >> 7
    }

    /// squash for every d in -2047...2047 at index d + 2047 (the hot path reads this).
    static let squashTable: [Int32] = (-2047...2047).map { Int32(squash($0)) }

    /// Inverse of squash: stretch[p] is the smallest d with squash(d) >= p, 2047 above squash(2047).
    static let stretchTable: [Int32] = {
        var t = [Int32](repeating: 2047, count: 4096)
        var next = 0
        for d in -2047...2047 {
            let v = squash(d)
            if v >= next {
                for j in next...v { t[j] = Int32(d) }
                next = v + 1
            }
        }
        return t
    }()
}
