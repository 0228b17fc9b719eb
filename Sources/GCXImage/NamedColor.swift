import GCXRasterScan

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed palette of colour names, matched in CIELAB (D65) by nearest distance.
///
/// The palette is part of the built-in describer's behaviour: changing a name or a
/// value changes the text gcx writes, so it is versioned with `instructionVersion`.
struct NamedColor: Sendable {
    let name: String
    let lab: Lab

    struct Lab: Sendable {
        var l: Double
        var a: Double
        var b: Double

        var chroma: Double { (a * a + b * b).squareRoot() }

        func distanceSquared(_ other: Lab) -> Double {
            let dl = l - other.l, da = a - other.a, db = b - other.b
            return dl * dl + da * da + db * db
        }
    }

    init(_ name: String, _ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.name = name
        self.lab = NamedColor.lab(r, g, b)
    }

    /// The sRGB value of each of `BuiltinForm.colourNames`, in its order.
    static let palette: [NamedColor] = zip(BuiltinForm.colourNames, [
        (15, 15, 15),   // black
        (60, 60, 62),   // charcoal grey
        (125, 125, 125),   // grey
        (190, 190, 190),   // light grey
        (245, 245, 245),   // white
        (200, 30, 35),   // red
        (115, 20, 25),   // dark red
        (235, 150, 170),   // pink
        (235, 135, 35),   // orange
        (110, 70, 40),   // brown
        (60, 40, 25),   // dark brown
        (195, 155, 110),   // tan
        (225, 210, 180),   // beige
        (235, 215, 50),   // yellow
        (115, 115, 45),   // olive
        (60, 145, 55),   // green
        (30, 70, 35),   // dark green
        (160, 200, 80),   // yellow-green
        (30, 120, 125),   // teal
        (90, 200, 220),   // cyan
        (135, 180, 230),   // sky blue
        (40, 80, 195),   // blue
        (25, 35, 85),   // navy blue
        (100, 120, 145),   // grey-blue
        (115, 50, 145),   // purple
        (180, 160, 215),   // lavender
        (195, 45, 150),   // magenta
    ] as [(UInt8, UInt8, UInt8)]).map { NamedColor($0, $1.0, $1.1, $1.2) }

    /// The palette index nearest to `lab`.
    static func nearest(_ lab: Lab) -> Int {
        var best = 0
        var bestDistance = Double.infinity
        for (i, colour) in palette.enumerated() {
            let d = colour.lab.distanceSquared(lab)
            if d < bestDistance {
                bestDistance = d
                best = i
            }
        }
        return best
    }

    /// sRGB code value to linear light, one table for all 256 values.
    static let linear: [Double] = (0..<256).map { v in
        let c = Double(v) / 255
        return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
    }

    /// sRGB (8-bit) to CIELAB with the D65 white point.
    static func lab(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Lab {
        let rl = linear[Int(r)], gl = linear[Int(g)], bl = linear[Int(b)]
        let x = (0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl) / 0.95047
        let y = 0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl
        let z = (0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        let fx = f(x), fy = f(y), fz = f(z)
        return Lab(l: 116 * fy - 16, a: 500 * (fx - fy), b: 200 * (fy - fz))
    }
}
