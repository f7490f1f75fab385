import CCapstanLinux
import FileDaemonProtocol

/// The file system type names a FileSet's `fstype =` compares with, as bacula-fd 9.6 names them on Linux: from the
/// `statfs` magic number (ext2, ext3 and ext4 are all `ext2`); a type it does not know has no name, and a path
/// without a name is never accepted.
enum FileSystemType {
    static func name(of path: BytePath) -> String? {
        let magic = path.withCString { capstan_fs_magic($0) }
        guard magic >= 0 else { return nil }
        return name(magic: UInt64(UInt32(truncatingIfNeeded: magic)))
    }

    static func name(magic: UInt64) -> String? { names[magic] }

    private static let names: [UInt64: String] = [
        0xEF53: "ext2", 0x3153_464A: "jfs", 0x5346_544E: "ntfs", 0x9FA0: "proc", 0x5265_4973: "reiserfs",
        0x5846_5342: "xfs", 0x9FA2: "usbdevfs", 0x6265_6572: "sysfs", 0x517B: "smbfs", 0x9660: "iso9660",
        0xADF5: "adfs", 0xADFF: "affs", 0x4246_5331: "befs", 0xFF53_4D42: "cifs", 0x7375_7245: "coda",
        0x012F_F7B7: "coherent", 0x28CD_3D45: "cramfs", 0x1373: "devfs", 0x0041_4A53: "efs", 0x137D: "ext",
        0xEF51: "oldext2", 0x4244: "hfs", 0xF995_E849: "hpfs", 0x9584_58F6: "hugetlbfs", 0x72B6: "jffs2",
        0x2468: "minix", 0x2478: "minix", 0x137F: "minix", 0x138F: "minix", 0x4D44: "msdos", 0x564C: "ncpfs",
        0x6969: "nfs", 0x9FA1: "openpromfs", 0x002F: "qnx4", 0x7275: "romfs", 0x012F_F7B6: "sysv2",
        0x012F_F7B5: "sysv4", 0x0102_1994: "tmpfs", 0x1501_3346: "udf", 0x0001_1954: "ufs", 0xA501_FCF5: "vxfs",
        0x012F_F7B4: "xenix", 0x012F_D16D: "xiafs", 0x9123_683E: "btrfs", 0x7461_636F: "ocfs2",
    ]
}
