import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ends a fetch that libgit2 is blocked in: libgit2 1.5 has no socket timeouts, so a remote that
/// accepts and never answers holds the fetching thread in `recv` for ever. When the watchdog gives
/// up, the sockets the fetch opened to the remote are shut down, `recv` returns, libgit2 fails the
/// fetch and the thread ends (closing them itself). Hand-written: no library reaches into libgit2's
/// sockets, and this needs only POSIX calls and `/proc/self/fd`.
enum RemoteSockets {
    /// The socket descriptors open in this process now.
    static func open() -> Set<Int32> {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
        var sockets: Set<Int32> = []
        for name in names {
            guard let fd = Int32(name) else { continue }
            var info = stat()
            if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { sockets.insert(fd) }
        }
        return sockets
    }

    /// Shuts down the sockets opened since `before` whose peer is `endpoint` (host and port of the
    /// remote); returns how many.
    @discardableResult
    static func shutDown(openedSince before: Set<Int32>, to endpoint: (host: String, port: Int)) -> Int {
        let addresses = resolve(endpoint.host)
        var count = 0
        for fd in open().subtracting(before) {
            guard let peer = peer(of: fd), peer.port == endpoint.port, addresses.contains(peer.address) else { continue }
            if shutdown(fd, Int32(SHUT_RDWR)) == 0 { count += 1 }
        }
        return count
    }

    /// The host and port a fetch of `url` connects to; nil for local paths and `file://`.
    static func endpoint(of url: String) -> (host: String, port: Int)? {
        if let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host, !host.isEmpty {
            let ports = ["http": 80, "https": 443, "git": 9418, "ssh": 22]
            guard let port = components.port ?? ports[scheme.lowercased()] else { return nil }
            return (host, port)
        }
        // scp-like `user@host:path`
        guard !url.hasPrefix("/"), let colon = url.firstIndex(of: ":") else { return nil }
        let authority = url[..<colon]
        let host = authority.split(separator: "@").last.map(String.init) ?? String(authority)
        return host.isEmpty ? nil : (host, 22)
    }

    /// The numeric addresses `host` resolves to (itself when it is one).
    private static func resolve(_ host: String) -> Set<String> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [host] }
        defer { freeaddrinfo(list) }
        var addresses: Set<String> = [host]
        var entry = list
        while let current = entry {
            if let address = numeric(current.pointee.ai_addr, length: current.pointee.ai_addrlen) { addresses.insert(address.address) }
            entry = current.pointee.ai_next
        }
        return addresses
    }

    private static func peer(of fd: Int32) -> (address: String, port: Int)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let found = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) == 0 }
        }
        guard found else { return nil }
        return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { numeric($0, length: length) } }
    }

    private static func numeric(_ address: UnsafePointer<sockaddr>?, length: socklen_t) -> (address: String, port: Int)? {
        guard let address else { return nil }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST)), service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        guard getnameinfo(address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                          NI_NUMERICHOST | NI_NUMERICSERV) == 0 else { return nil }
        return (String(cString: host), Int(String(cString: service)) ?? 0)
    }
}
