import Manifests

/// `diff -o markdown`: a report ready to post as a pull-request comment (GitHub-flavoured Markdown).
extension PlanReport {
    /// How many fields of one change show their `from → to` values; the rest show only paths.
    static let markdownValuesShown = 3
    /// How many field paths one table cell lists before "… and N more".
    static let markdownPathsShown = 8

    public var markdown: String {
        let commitText = Markdown.code(String(commit.prefix(12)))
        guard !changes.isEmpty || !blocked.isEmpty else {
            return "**No changes**: the fleet matches commit \(commitText).\n"
        }
        var lines = ["### Steward plan for commit \(commitText)", "", "**\(summary)**", ""]
        if !changes.isEmpty {
            lines.append("| Resource | Environment | Change | Fields |")
            lines.append("|---|---|---|---|")
            for change in changes {
                let cells = [Markdown.code("\(change.kind)/\(change.name)"), Markdown.text((change.environment ?? "—") + (change.target.map { " / \($0)" } ?? "")),
                             Markdown.text(change.change), markdownFields(change)]
                lines.append("| " + cells.joined(separator: " | ") + " |")
            }
            lines.append("")
        }
        if !blocked.isEmpty {
            lines.append("#### Blocked")
            lines.append("")
            for item in blocked {
                let place = item.environment.map { " in \(Markdown.text($0 + (item.target.map { " / \($0)" } ?? "")))" } ?? ""
                lines.append("- \(Markdown.code("\(item.kind)/\(item.name)", inTable: false))\(place): \(Markdown.text(item.reason, newlines: " "))")
                // The causes past what Git wants and the block itself (DESIGN §14), nested.
                for cause in item.chain.dropFirst(2) { lines.append("  - \(Markdown.text(cause, newlines: " "))") }
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// `3 changes (1 create, 2 update) · 1 blocked`.
    public var summary: String {
        var parts: [String] = []
        if !changes.isEmpty {
            let counts = Dictionary(grouping: changes, by: \.change).mapValues(\.count)
            let byKind = Self.changeOrder.compactMap { kind in counts[kind].map { "\($0) \(kind)" } }
            parts.append("\(changes.count) change\(changes.count == 1 ? "" : "s") (\(byKind.joined(separator: ", ")))")
        }
        if !blocked.isEmpty { parts.append("\(blocked.count) blocked") }
        return parts.joined(separator: " · ")
    }

    /// The order change kinds are counted in.
    static let changeOrder = ["create", "update", "promote", "rollback", "drift", "prune"]

    /// The Fields cell: paths, with values for the first few; the reason when there are no fields.
    private func markdownFields(_ change: Change) -> String {
        switch change.change {
        case "create":
            return "new in Git" + (change.version.map { ", version \(Markdown.code($0))" } ?? "")
        case "prune":
            return Markdown.text(change.reason)
        default:
            break
        }
        guard !change.fields.isEmpty else { return Markdown.text(change.reason) }
        var items: [String] = []
        for (index, field) in change.fields.prefix(Self.markdownPathsShown).enumerated() {
            if index < Self.markdownValuesShown {
                items.append("\(Markdown.code(field.path)): \(Markdown.code(Self.show(field.from))) → \(Markdown.code(Self.show(field.to)))")
            } else {
                items.append(Markdown.code(field.path))
            }
        }
        if change.fields.count > Self.markdownPathsShown { items.append("… and \(change.fields.count - Self.markdownPathsShown) more") }
        return items.joined(separator: "<br>")
    }
}

/// Escaping for GitHub-flavoured Markdown table cells and list items.
enum Markdown {
    /// Plain text: Markdown and HTML punctuation backslash-escaped, `|` escaped for tables,
    /// newlines as `<br>` (or `newlines`), other control characters dropped.
    static func text(_ value: String, newlines: String = "<br>") -> String {
        var out = ""
        out.reserveCapacity(value.count)
        var previousWasCR = false
        for scalar in value.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\n" where previousWasCR: continue
            case "\n", "\r": out += newlines
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "#", "!", "~", "&":
                out.unicodeScalars.append("\\")
                out.unicodeScalars.append(scalar)
            case "\t": out += " "
            default:
                if scalar.properties.generalCategory == .control { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A code span that survives any content: backtick fence longer than any run inside,
    /// `|` escaped in table cells (GFM splits cells on it even in code), newlines and controls as spaces.
    static func code(_ value: String, inTable: Bool = true) -> String {
        var body = ""
        var longestRun = 0, run = 0
        for scalar in value.unicodeScalars {
            if scalar == "`" { run += 1; longestRun = max(longestRun, run) } else { run = 0 }
            switch scalar {
            case "|" where inTable: body += "\\|"
            default:
                if scalar.properties.generalCategory == .control { body += " " } else { body.unicodeScalars.append(scalar) }
            }
        }
        let fence = String(repeating: "`", count: longestRun + 1)
        let padded = longestRun > 0 || body.hasPrefix(" ") || body.hasSuffix(" ") ? " \(body) " : body
        return body.isEmpty ? "` `" : fence + padded + fence
    }
}
