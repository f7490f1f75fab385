/// Bacula's file type codes in attribute records (spec §7.1).
public enum FileType: Int32, Sendable, CaseIterable {
    case hardLinkSaved = 1
    case emptyRegular = 2
    case regular = 3
    case symbolicLink = 4
    case directoryEnd = 5
    case special = 6
    case noAccess = 7
    case noFollow = 8
    case noStat = 9
    case noChange = 10
    case directoryNoChange = 11
    case isArchive = 12
    case noRecurse = 13
    case noFileSystemChange = 14
    case noOpen = 15
    case raw = 16
    case fifo = 17
    case directoryBegin = 18
    case invalidFileSystem = 19
    case invalidDriveType = 20
    case reparse = 21
    case plugin = 22
    case deleted = 23
    case base = 24
    case restoreFirst = 25
    case junction = 26
    case pluginConfig = 27
    case pluginConfigFilled = 28
}
