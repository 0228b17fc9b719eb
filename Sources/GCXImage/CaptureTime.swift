/// When a photo was taken, from EXIF DateTimeOriginal (tag 0x9003) and, if
/// present, OffsetTimeOriginal (tag 0x9011).
public struct CaptureTime: Sendable, Equatable, CustomStringConvertible {
    /// The camera's wall-clock reading as seconds since 1970-01-01T00:00:00,
    /// counted as if the wall clock were UTC (EXIF stores local time without a zone).
    public let wallClockSecondsSince1970: Int64
    /// OffsetTimeOriginal in minutes east of UTC ("+09:00" is 540), when recorded.
    /// The true instant is `wallClockSecondsSince1970 - utcOffsetMinutes * 60`.
    public let utcOffsetMinutes: Int?

    public init(wallClockSecondsSince1970: Int64, utcOffsetMinutes: Int?) {
        self.wallClockSecondsSince1970 = wallClockSecondsSince1970
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    public var description: String {
        "\(wallClockSecondsSince1970)s" + (utcOffsetMinutes.map { " (UTC\($0 >= 0 ? "+" : "")\($0)min)" } ?? "")
    }

    /// Parses "YYYY:MM:DD HH:MM:SS" (dashes also accepted in the date); nil when
    /// blank, zeroed or out of range, as many cameras write placeholders.
    static func parseDateTime(_ text: [UInt8]) -> Int64? {
        guard text.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                let c = text[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                value = value * 10 + Int(c - 0x30)
            }
            return value
        }
        let separatorsOK = (text[4] == 0x3A || text[4] == 0x2D) && (text[7] == 0x3A || text[7] == 0x2D)
            && (text[10] == 0x20 || text[10] == 0x54) && text[13] == 0x3A && text[16] == 0x3A
        guard separatorsOK,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              year >= 1, (1...12).contains(month), day >= 1, day <= daysInMonth(year, month),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Parses "+HH:MM" / "-HH:MM" into minutes east of UTC.
    static func parseOffset(_ text: [UInt8]) -> Int? {
        guard text.count >= 6, text[0] == 0x2B || text[0] == 0x2D, text[3] == 0x3A else { return nil }
        let digits = [text[1], text[2], text[4], text[5]]
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let hours = Int(digits[0] - 0x30) * 10 + Int(digits[1] - 0x30)
        let minutes = Int(digits[2] - 0x30) * 10 + Int(digits[3] - 0x30)
        guard hours <= 14, minutes <= 59 else { return nil }
        let total = hours * 60 + minutes
        return text[0] == 0x2D ? -total : total
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension CaptureTime {
    /// Year, month, day of a day count since 1970-01-01 (proleptic Gregorian; Howard Hinnant's
    /// civil_from_days), the inverse of `daysFromCivil`.
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
