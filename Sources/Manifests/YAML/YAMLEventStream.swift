internal import CYaml

/// libyaml's event parser over a UTF-8 buffer, for the readers that work from events.
enum YAMLEventStream {
    /// Hands each event of `bytes` to `body` until it returns a result, which is returned; nil
    /// when libyaml fails or the stream ends first. The event is valid only during the call.
    static func read<R>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (yaml_event_t) -> R?) -> R? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            if let result = body(event) { return result }
            if event.type == YAML_STREAM_END_EVENT { return nil }
        }
    }
}
