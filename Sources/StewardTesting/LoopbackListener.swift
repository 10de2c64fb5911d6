import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket, and 127.0.0.1:`port` as a socket address.
private func loopbackSocket(port: Int) -> (fd: Int32, address: sockaddr_in) {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return (fd, address)
}

/// A listening loopback TCP socket on a free port, and the port.
public func listeningSocket() throws -> (Int32, Int) { try boundSocket(listening: true) }

/// A loopback port where nothing listens and nothing else can start listening while the socket
/// (close it when done) is open: connections to it are refused. Unlike a stopped server's port,
/// which another test may take at once.
public func refusingSocket() throws -> (Int32, Int) { try boundSocket(listening: false) }

private func boundSocket(listening: Bool) throws -> (Int32, Int) {
    var (fd, address) = loopbackSocket(port: 0)
    guard fd >= 0 else { throw ProcessFailure(message: "socket() failed: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && (!listening || listen(fd, 16) == 0) && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { close(fd); throw ProcessFailure(message: "bind/listen on loopback failed: errno \(errno)") }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// `GET path` on 127.0.0.1:`port` over a plain socket, on a thread of its own: no URLSession and no
/// dispatch queue in the path, so it answers while the test process's thread pools are saturated.
/// The status and body, or nil when nothing answers within `timeout` seconds.
public func loopbackGET(port: Int, path: String, timeout: Int = 10) async -> (status: Int, body: String)? {
    await Subprocess.offPool { loopbackGETBlocking(port: port, path: path, timeout: timeout) }
}

private func loopbackGETBlocking(port: Int, path: String, timeout: Int) -> (status: Int, body: String)? {
    var (fd, address) = loopbackSocket(port: port)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var limit = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
    guard connected else { return nil }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 && errno == EINTR { continue }   // a signal (e.g. SIGCHLD of a test's child) is no answer
        if count < 0 { return nil }   // timed out or failed
        if count == 0 { break }
        response += buffer[..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let headerEnd = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return (status, String(text[headerEnd.upperBound...]))
}
