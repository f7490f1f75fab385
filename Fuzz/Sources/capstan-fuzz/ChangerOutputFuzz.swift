import Changers

/// The output of a changer script (mtx-changer's `loaded`, `slots`, `list` and `listall`).
enum ChangerOutputFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        _ = try? ChangerScriptOutput.loaded(text)
        _ = try? ChangerScriptOutput.slots(text)
        _ = try? ChangerScriptOutput.list(text)
        _ = try? ChangerScriptOutput.listAll(text)
    }
}
