import Manifests

/// `diff -o junit`: JUnit XML for CI test reports. Every change and blocked item is a failing test
/// case (the fleet does not match the commit there); with none, one passing case `fleet in sync`.
extension PlanReport {
    public var junit: String {
        var cases: [String] = []
        for change in changes {
            var body = [change.reason]
            body += change.fields.map { "\($0.path): \(Self.show($0.from)) → \(Self.show($0.to))" }
            cases.append(Self.testCase(classname: change.kind, name: Self.caseName(change.name, change.environment, change.target),
                                       failure: (type: change.change, message: "\(change.change): \(change.reason)",
                                                 body: body.joined(separator: "\n"))))
        }
        for item in blocked {
            cases.append(Self.testCase(classname: item.kind, name: Self.caseName(item.name, item.environment, item.target),
                                       failure: (type: "blocked", message: "blocked: \(item.reason)",
                                                 body: item.chain.isEmpty ? item.reason : item.chain.joined(separator: "\n"))))
        }
        let failures = cases.count
        if cases.isEmpty { cases.append(Self.testCase(classname: "steward", name: "fleet in sync", failure: nil)) }
        let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\""
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            "<testsuites name=\"steward\" \(counts)>",
            "  <testsuite name=\"steward-diff\" \(counts)>",
            "    <properties>",
            "      <property name=\"commit\" value=\"\(XML.escape(commit))\"/>",
            "    </properties>",
        ]
        lines += cases
        lines += ["  </testsuite>", "</testsuites>", ""]
        return lines.joined(separator: "\n")
    }

    /// `name (environment)` (`name (environment, target)` on a Target), or `name` for resources that are not per environment.
    private static func caseName(_ name: String, _ environment: String?, _ target: String?) -> String {
        name + place(environment, target)
    }

    private static func testCase(classname: String, name: String, failure: (type: String, message: String, body: String)?) -> String {
        let open = "    <testcase classname=\"\(XML.escape(classname))\" name=\"\(XML.escape(name))\""
        guard let failure else { return open + "/>" }
        return open + ">\n"
            + "      <failure type=\"\(XML.escape(failure.type))\" message=\"\(XML.escape(failure.message))\">"
            + XML.escape(failure.body, attribute: false) + "</failure>\n"
            + "    </testcase>"
    }
}

/// Escaping for XML 1.0 text and attribute values.
enum XML {
    /// `& < > " '` as entities; characters XML 1.0 cannot carry at all (C0 controls other than
    /// tab, newline and carriage return, U+FFFE, U+FFFF) as the visible text `\u{…}`; in
    /// attributes tab, newline and carriage return as character references so they survive
    /// attribute-value normalisation; in text a carriage return as `&#13;`.
    static func escape(_ value: String, attribute: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += attribute ? "&#9;" : "\t"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\r": out += "&#13;"
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF {
                    out += "\\u{\(String(value, radix: 16, uppercase: true))}"
                } else if (0x7F...0x9F).contains(value) {
                    out += "&#x\(String(value, radix: 16, uppercase: true));"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
