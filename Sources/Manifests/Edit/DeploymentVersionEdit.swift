import Yams

/// Sets a Deployment's `spec.version` in YAML text in place, keeping everything else byte for byte.
public enum DeploymentVersionEdit {
    /// `text` with `spec.version` of `Deployment/name` set to `version`, or nil when that Deployment is not in `text`.
    ///
    /// Replaces the value where it is (keeping its quoting where sensible and any trailing
    /// comment), or inserts a `version:` line after `blueprint:` (or first in a block `spec`).
    /// Throws `ManifestEditError` naming `file` and the line when the YAML or the document is malformed.
    public static func setVersion(_ version: String, ofDeployment name: String, in text: String, file: String) throws -> String? {
        let bom = text.unicodeScalars.first == "\u{FEFF}"
        let body = bom ? String(String.UnicodeScalarView(text.unicodeScalars.dropFirst())) : text
        let documents: [YAMLDocument]
        do {
            documents = try YAMLDocumentLoader.load(Array(body.utf8))
        } catch {
            throw ManifestEditError(file: file, line: error.position.line, column: error.position.column, message: error.message)
        }
        let matches = documents.compactMap { document -> Node.Mapping? in
            guard case .mapping(let root) = document.root, entry("kind", in: root)?.value.scalar?.string == "Deployment",
                  case .mapping(let metadata)? = entry("metadata", in: root)?.value,
                  entry("name", in: metadata)?.value.scalar?.string == name
            else { return nil }
            return root
        }
        guard let root = matches.first else { return nil }
        let editor = Editor(source: YAMLSourceText(body), file: file, resource: "Deployment/\(name)")
        if matches.count > 1 {
            throw editor.error(at: matches[1].mark, "defined more than once in this file")
        }
        let edited = try editor.setting(version, in: root)
        return bom ? "\u{FEFF}" + edited : edited
    }

    /// The key and value of `key` among the mapping's own (not merged) entries.
    static func entry(_ key: String, in mapping: Node.Mapping) -> (key: Node, value: Node)? {
        mapping.first { pair in pair.key.scalar?.string == key }
    }
}

/// One edit of one Deployment document in a source text.
private struct Editor {
    var source: YAMLSourceText
    let file: String
    let resource: String

    /// The whole text with the version set in this Deployment's `spec`.
    func setting(_ version: String, in root: Node.Mapping) throws(ManifestEditError) -> String {
        guard let spec = DeploymentVersionEdit.entry("spec", in: root) else {
            throw error(at: root.mark, "has no spec")
        }
        guard case .mapping(let specMapping) = spec.value else {
            throw error(at: spec.value.mark, "spec must be a mapping, got \(NodeDecoder.describe(spec.value))")
        }
        if let existing = DeploymentVersionEdit.entry("version", in: specMapping) {
            return try replacing(existing, with: version)
        }
        return try inserting(version, into: specMapping)
    }

    /// Replaces the value of an existing `version:` entry.
    private func replacing(_ entry: (key: Node, value: Node), with version: String) throws(ManifestEditError) -> String {
        guard case .scalar(let scalar) = entry.value else {
            throw error(at: entry.value.mark, "spec.version must be a string, got \(NodeDecoder.describe(entry.value))")
        }
        var edited = source
        if scalar.style == .plain, scalar.string.isEmpty {
            // `version:` with no value: write it after the key's colon.
            guard case .scalar(let key) = entry.key, let keyStart = offset(entry.key.mark),
                  let keyEnd = source.scalarEnd(at: keyStart, style: key.style, value: key.string),
                  let colon = source.scalars[keyEnd...].firstIndex(where: { $0 != " " && $0 != "\t" }),
                  source.scalars[colon] == ":"
            else { throw error(at: entry.key.mark, "cannot locate the value of spec.version") }
            edited.replace(colon + 1..<colon + 1, with: Array((" " + YAMLScalarWriter.render(version, like: .plain)).unicodeScalars))
            return edited.text
        }
        guard let start = offset(scalar.mark), let end = source.scalarEnd(at: start, style: scalar.style, value: scalar.string) else {
            throw error(at: scalar.mark, "cannot edit spec.version in place: write it as a plain or quoted value on one line, without anchor or tag")
        }
        edited.replace(start..<end, with: Array(YAMLScalarWriter.render(version, like: scalar.style).unicodeScalars))
        return edited.text
    }

    /// Adds `version: X` to a spec that has none: after `blueprint:` when it sits on one line, else first.
    private func inserting(_ version: String, into spec: Node.Mapping) throws(ManifestEditError) -> String {
        let value = YAMLScalarWriter.render(version, like: .plain)
        var edited = source
        let blueprint = DeploymentVersionEdit.entry("blueprint", in: spec)
        let blueprintEnd = blueprint.flatMap { entry in valueEnd(entry) }
        // Yams reports the style of a mapping's end event (always `.any`), so look at the text: a flow mapping starts with `{`.
        if let start = offset(spec.mark), start < source.scalars.count, source.scalars[start] == "{" {
            guard let blueprintEnd else {
                throw error(at: spec.mark, "spec is a flow mapping ({…}) without version or a one-line blueprint; write spec in block style")
            }
            edited.replace(blueprintEnd..<blueprintEnd, with: Array(", version: \(value)".unicodeScalars))
            return edited.text
        }
        let anchorKey = blueprintEnd == nil ? spec.first?.key : blueprint?.key
        guard let anchorKey, let keyStart = offset(anchorKey.mark) else {
            throw error(at: spec.mark, "cannot find where to add spec.version")
        }
        let lineStart = source.lineStart(containing: keyStart)
        let indent = source.scalars[lineStart..<keyStart]
        guard indent.allSatisfy({ $0 == " " }) else {
            throw error(at: anchorKey.mark, "cannot add spec.version: the spec keys do not start their lines")
        }
        let lineBreak = source.lineBreak(after: keyStart)?.text ?? source.firstLineBreak
        let line = Array(indent) + Array("version: \(value)".unicodeScalars)
        if let blueprintEnd {
            if let next = source.lineBreak(after: blueprintEnd)?.next {
                edited.replace(next..<next, with: line + lineBreak)
            } else {
                edited.replace(source.scalars.count..<source.scalars.count, with: lineBreak + line)
            }
        } else {
            edited.replace(lineStart..<lineStart, with: line + lineBreak)
        }
        return edited.text
    }

    /// Where a scalar value that starts on its key's line ends, or nil for anything else.
    private func valueEnd(_ entry: (key: Node, value: Node)) -> Int? {
        guard case .scalar(let scalar) = entry.value, let keyStart = offset(entry.key.mark), let start = offset(scalar.mark),
              let end = source.scalarEnd(at: start, style: scalar.style, value: scalar.string),
              source.sameLine(keyStart, start), source.sameLine(start, end)
        else { return nil }
        return end
    }

    private func offset(_ mark: Mark?) -> Int? {
        mark.flatMap { source.offset(of: $0) }
    }

    /// A `ManifestEditError` at `mark` (line 1 when unknown), naming the resource.
    func error(at mark: Mark?, _ message: String) -> ManifestEditError {
        ManifestEditError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: "\(resource): \(message)")
    }
}
