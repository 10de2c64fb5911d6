import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ends a fetch that libgit2 is blocked in: libgit2 1.5 has no socket timeouts, so a remote that
/// accepts and never answers holds the fetching thread in `recv` (or in `connect`, when its accept
/// queue is full) for ever. When the watchdog gives up, the sockets the fetch opened to the remote
/// are shut down, the call returns, libgit2 fails the fetch and the thread ends (closing them
/// itself). Hand-written: no library reaches into libgit2's sockets; this needs POSIX calls and
/// Linux's `/proc/self/fd` and `/proc/net/tcp*`.
enum RemoteSockets {
    /// The socket descriptors open in this process now, with their inodes.
    static func open() -> [Int32: String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [:] }
        var sockets: [Int32: String] = [:]
        for name in names {
            guard let fd = Int32(name) else { continue }
            var info = stat()
            if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { sockets[fd] = String(info.st_ino) }
        }
        return sockets
    }

    /// The inodes of the sockets open in this process now: unlike descriptor numbers, which other
    /// threads close and the next socket reuses, an inode names one socket for its whole life.
    static func openInodes() -> Set<String> { Set(open().values) }

    /// Shuts down the sockets opened since `before` (inodes) that are connected, or still connecting,
    /// to `endpoint` (host and port of the remote); returns how many. A socket still connecting (a
    /// remote whose accept queue is full answers no SYN) has no peer yet, so the kernel's table of TCP
    /// sockets (`/proc/net/tcp`, `tcp6`: remote address and port by socket inode) tells where each one
    /// goes; `shutdown` ends a connect in progress too.
    @discardableResult
    static func shutDown(openedSince before: Set<String>, to endpoint: (host: String, port: Int)) -> Int {
        let addresses = resolve(endpoint.host)
        let remotes = tcpRemotes()
        var count = 0
        for (fd, inode) in open() where !before.contains(inode) {
            guard let remote = remotes[inode], remote.port == endpoint.port, addresses.contains(remote.address) else { continue }
            if shutdown(fd, Int32(SHUT_RDWR)) == 0 { count += 1 }
        }
        return count
    }

    /// Remote address (numeric) and port of every TCP socket of this network namespace, by inode.
    private static func tcpRemotes() -> [String: (address: String, port: Int)] {
        var remotes: [String: (address: String, port: Int)] = [:]
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // /proc files say they are empty (size 0): read until the end instead of by their size.
            guard let data = try? FileHandle(forReadingFrom: URL(fileURLWithPath: table)).readToEnd() else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9 else { continue }
                let remote = fields[2].split(separator: ":")
                guard remote.count == 2, let port = Int(remote[1], radix: 16), let address = address(hex: remote[0]) else { continue }
                remotes[String(fields[9])] = (address, port)
            }
        }
        return remotes
    }

    /// A `/proc/net/tcp*` address (32-bit words in host order, as hex) in numeric form.
    private static func address(hex: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 8, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let word = UInt32(hex[index..<next], radix: 16) else { return nil }
            withUnsafeBytes(of: word) { bytes += $0 }   // the kernel wrote the word's bytes in this machine's order
            index = next
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard bytes.count == 4 || bytes.count == 16,
              bytes.withUnsafeBytes({ inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }) != nil else { return nil }
        return string(text)
    }

    /// A NUL-terminated C string in a buffer.
    private static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
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

    private static func numeric(_ address: UnsafePointer<sockaddr>?, length: socklen_t) -> (address: String, port: Int)? {
        guard let address else { return nil }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST)), service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        guard getnameinfo(address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                          NI_NUMERICHOST | NI_NUMERICSERV) == 0 else { return nil }
        return (string(host), Int(string(service)) ?? 0)
    }
}
