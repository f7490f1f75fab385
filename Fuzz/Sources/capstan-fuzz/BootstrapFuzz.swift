import BaculaVolume

/// Bootstrap files as a Director sends them: parsed, and every volume's selector built from the result.
enum BootstrapFuzz {
    static func run(_ input: [UInt8]) {
        guard let bootstrap = try? Bootstrap(parsing: String(decoding: input, as: UTF8.self)) else { return }
        for volume in ["", "TAPE01", "Vol-0001"] { _ = BootstrapSelector(bootstrap: bootstrap, volume: volume) }
    }
}
