import Foundation

/// Short reasons for file-system errors ("permission denied"), not Foundation's error dumps.
enum FileErrors {
    /// The POSIX reason behind `error` when there is one, else its description.
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))).lowercased() }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? any Error { return reason(underlying) }
        if let posix = (error as? CocoaError)?.underlying { return reason(posix) }
        if nsError.domain == NSCocoaErrorDomain { return nsError.localizedDescription }
        return "\(error)"
    }
}
