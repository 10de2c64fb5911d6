/// A plain text table with left-aligned columns, as kubectl prints them.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let last = index == cells.count - 1
                text += last ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
