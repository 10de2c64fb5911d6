import Testing
@testable import Manifests

/// Canonical documents asked for in bulk: in order, equal to encoding each one, made once per key.
@Suite struct DocumentCacheTests {
    private struct Sample: Encodable, Sendable {
        var name: String
        var replicas: Int
    }

    @Test func bulkDocumentsMatchEncodingEachAndAreMadeOncePerKey() {
        let identities = (0..<(ConcurrentMap.threshold * 2)).map { _ in ParseIdentity.next() }
        var requests: [DocumentCache.Request] = []
        for (index, identity) in identities.enumerated() {
            requests.append(DocumentCache.Request(Sample(name: "agent-\(index)", replicas: index), key: DocumentCache.Key(identity)))
        }
        // the same key asked twice in one build, and a request that is never memoised
        requests.append(DocumentCache.Request(Sample(name: "agent-0", replicas: 0), key: DocumentCache.Key(identities[0])))
        requests.append(DocumentCache.Request(Sample(name: "loose", replicas: -1), key: nil))
        let cache = DocumentCache()
        let documents = cache.build { cache.documents(requests) }
        #expect(documents.count == requests.count)
        for (request, document) in zip(requests, documents) {
            #expect(document == CanonicalDocument(request.manifest))
        }
        // a later build reuses what it made: a request whose content changed but whose key did not gets the cached document
        requests[1] = DocumentCache.Request(Sample(name: "changed", replicas: 99), key: DocumentCache.Key(identities[1]))
        let again = cache.build { cache.documents(requests) }
        #expect(again == documents)
    }
}
