import SCSI

/// Replies of tape drives and media changers: sense data, INQUIRY and its VPD pages, READ ELEMENT STATUS, the
/// element address assignment page (both MODE SENSE header sizes), READ POSITION (both forms), TapeAlert, MAM.
enum SCSIFuzz {
    static func run(_ input: [UInt8]) {
        _ = try? SenseData(decoding: input)
        _ = try? StandardInquiry(decoding: input)
        _ = try? UnitSerialNumber(decoding: input)
        _ = try? DeviceIdentification(decoding: input)
        _ = try? ElementStatus(decoding: input)
        _ = try? ElementAddressAssignment(decodingModeSense: input, tenByteHeader: false)
        _ = try? ElementAddressAssignment(decodingModeSense: input, tenByteHeader: true)
        _ = try? ReadPosition(decoding: input, form: .short)
        _ = try? ReadPosition(decoding: input, form: .long)
        _ = try? TapeAlert(decoding: input)
        _ = try? MediumAuxiliaryMemory(decoding: input)
    }
}
