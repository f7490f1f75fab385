import CapstanConfig
import Testing

/// Bacula's `%x` codes: known codes replaced, unknown ones and a trailing `%` kept, multi-byte text untouched.
@Suite struct PercentCodesTests {
    let values: [Character: String] = ["%": "%", "c": "client-fd", "i": "42", "e": ""]

    @Test func knownCodesAreReplacedAndOthersStayAsWritten() {
        #expect(PercentCodes.expand("%c/%i.bsr", { values[$0] }) == "client-fd/42.bsr")
        #expect(PercentCodes.expand("100%% done, %q and %", { values[$0] }) == "100% done, %q and %")
        #expect(PercentCodes.expand("[%e]", { values[$0] }) == "[]")
        #expect(PercentCodes.expand("Sauvegarde réussie ✓ %i", { values[$0] }) == "Sauvegarde réussie ✓ 42")
        #expect(PercentCodes.expand("%%c", { values[$0] }) == "%c", "a replacement is not read again")
    }
}
