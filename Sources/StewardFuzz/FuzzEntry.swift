import Manifests

/// libFuzzer's entry point (scripts/fuzz): one input is one manifest file. Built only with
/// `STEWARD_FUZZ=1` and `-sanitize=fuzzer -parse-as-library`.
@_cdecl("LLVMFuzzerTestOneInput")
public func stewardFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzPipeline.run(bytes)
    return 0
}

/// libFuzzer's driver, from the fuzzer runtime that `-sanitize=fuzzer` links in.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM on Linux links an executable target with `main` aliased to `<Target>_main` (so tests
/// can link it); with `-parse-as-library` there is no generated one, so this starts libFuzzer.
@_cdecl("StewardFuzz_main")
public func stewardFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, stewardFuzzOneInput)
}
