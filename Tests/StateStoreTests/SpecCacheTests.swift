import Manifests
import Reconcile
import Testing
@testable import StateStore

/// Specs unchanged since the last read come from the store's cache; what a read returns is the
/// same as parsing every row.
@Suite struct SpecCacheTests {
    private func hashed(_ name: String, replicas: Int) -> AppliedResource {
        var resource = Fixtures.resource(name)
        resource.spec = .object(["blueprint": .string(name), "replicas": .int(replicas), "ratio": .double(2.0)])
        resource.specHash = ContentHash.sha256Hex(resource.spec.canonicalBytes)
        return resource
    }

    @Test(arguments: Backend.allCases)
    func readsAgreeWithParsingAcrossChanges(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var batch = StoreBatch()
            batch.upsertResources = [hashed("a", replicas: 1), hashed("b", replicas: 2), Fixtures.resource("c")]
            try await store.commit(batch)
            let first = try await store.resources()
            #expect(try await store.resources() == first)
            // The stored text of 2.0 is "2": a read gives what parsing the row gives, cached or not.
            #expect(first.first { $0.key.name == "a" }?.spec["ratio"] == .int(2))

            batch = StoreBatch()
            batch.upsertResources = [hashed("a", replicas: 5)]
            try await store.commit(batch)
            let second = try await store.resources()
            #expect(second.first { $0.key.name == "a" }?.spec["replicas"] == .int(5))
            #expect(second.first { $0.key.name == "b" } == first.first { $0.key.name == "b" })
            #expect(second.first { $0.key.name == "c" } == first.first { $0.key.name == "c" })
        }
    }

    /// A spec written with its text (what the executor records: the action's document and the text
    /// its file was spliced from) is stored as that text, and later reads get the text, unread, in
    /// the shape parsing it gives (2.0 reads back as 2), not the value it was made from.
    @Test(arguments: Backend.allCases)
    func aSpecWrittenWithItsTextIsReadBackAsThatText(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var resource = hashed("a", replicas: 3)
            let text = resource.spec.canonicalJSON
            resource.storedSpec = AppliedSpec(resource.spec, text: text)
            var batch = StoreBatch()
            batch.upsertResources = [resource]
            try await store.commit(batch)
            let read = try #require(try await store.resources().first { $0.key.name == "a" })
            #expect(read.storedSpec.text == text)
            #expect(!read.storedSpec.isRead)
            #expect(read.spec["ratio"] == .int(2) && read.spec["replicas"] == .int(3))
            #expect(read.specHash == ContentHash.sha256Hex(text))
        }
    }

    /// Enough rows for the specs to be parsed on several threads: every row gets its own spec, in order.
    @Test func aColdReadOfManySpecsParsesEachIntoItsOwnRow() throws {
        let columns = (0..<(ConcurrentMap.threshold * 3)).map { index in
            let spec = JSONValue.object(["name": .string("agent-\(index)"), "replicas": .int(index)])
            return SpecCache.Column(hash: ContentHash.sha256Hex(spec.canonicalBytes), text: spec.canonicalJSON,
                                    key: ResourceKey(kind: .deployment, name: "agent-\(index)", environment: "dev"))
        }
        let cache = SpecCache()
        let specs = try cache.specs(columns)
        #expect(specs.count == columns.count)
        // Their hashes match their texts: none is parsed until a pass looks at it.
        #expect(specs.allSatisfy { !$0.isRead })
        for (index, spec) in specs.enumerated() {
            #expect(spec.value["replicas"] == .int(index) && spec.value["name"] == .string("agent-\(index)"))
        }
        let again = try cache.specs(columns)   // the second read, from the cache, agrees and shares them
        #expect(again == specs)
        #expect(zip(again, specs).allSatisfy { $0 === $1 })
    }

    /// A spec whose text no longer matches its hash (damaged in the database) is parsed as it is
    /// read: damage that is not JSON is refused then, naming the resource, not later in a pass.
    @Test func aDamagedSpecWithAHashIsParsedAsItIsRead() throws {
        var columns = (0..<(ConcurrentMap.threshold * 2)).map { index in
            let spec = JSONValue.object(["replicas": .int(index)])
            return SpecCache.Column(hash: ContentHash.sha256Hex(spec.canonicalBytes), text: spec.canonicalJSON,
                                    key: ResourceKey(kind: .deployment, name: "agent-\(index)", environment: "dev"))
        }
        columns[7].text = "{\"replicas\":70}"
        let specs = try SpecCache().specs(columns)
        #expect(specs[7].isRead && specs[7].value["replicas"] == .int(70))
        #expect(!specs[8].isRead)
        columns[300].text = "{\"replicas\":"
        #expect {
            try SpecCache().specs(columns)
        } throws: { error in
            "\(error)".contains("Deployment/agent-300 in dev") && "\(error)".contains("not valid JSON")
        }
    }

    /// A corrupt spec among many is refused naming its resource; the cache keeps what it had.
    @Test func aCorruptSpecAmongManyIsRefusedNamingItsResource() throws {
        var columns = (0..<(ConcurrentMap.threshold * 2)).map { index in
            SpecCache.Column(hash: "", text: "{\"replicas\":\(index)}", key: ResourceKey(kind: .deployment, name: "agent-\(index)", environment: "dev"))
        }
        columns[300].text = "{\"replicas\":"
        columns[400].text = "not json"
        #expect {
            try SpecCache().specs(columns)
        } throws: { error in
            "\(error)".contains("Deployment/agent-300 in dev") && "\(error)".contains("not valid JSON")
        }
    }
}
