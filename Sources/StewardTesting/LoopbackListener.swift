import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A listening loopback TCP socket on a free port, and the port.
public func listeningSocket() throws -> (Int32, Int) {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw ProcessFailure(message: "socket() failed: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { close(fd); throw ProcessFailure(message: "bind/listen on loopback failed: errno \(errno)") }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
