/// The console's side of a logged-in Director conversation (spec §3.1.2–3.1.4), as a value: feed it what the
/// Director sends, carry out the action it returns. It decides when a command's output has ended, when the
/// Director asks a question, and what is only bookkeeping (heartbeats, `.api` brackets).
public struct ConsoleConversation: Sendable {
    public enum Action: Hashable, Sendable {
        /// Show these bytes to the user as they are.
        case show([UInt8])
        /// Keep reading: nothing to show.
        case keepReading
        /// The Director asked a question (prompt text already shown): send the user's answer as one packet.
        case answerPrompt
        /// The command's output is complete: send the next command.
        case commandFinished
        /// The Director ended the conversation.
        case closed
    }

    /// Whether `.api` mode was requested: the Director then brackets commands with CMD_BEGIN/CMD_OK and ends
    /// each with MAIN_PROMPT instead of EOD.
    public private(set) var apiMode = false

    public init() {}

    /// Call before sending a command line; notes `.api N` (N > 0) and `.api 0`.
    public mutating func sending(command: String) {
        let words = command.split(separator: " ")
        if words.first == ".api" {
            apiMode = words.count < 2 || words[1] != "0"
        }
    }

    /// What to do with the next frame from the Director.
    public func received(_ frame: Frame) -> Action {
        switch frame {
        case .payload(let bytes):
            return .show(bytes)
        case .signal(let signal):
            switch signal {
            case .heartbeat, .heartbeatResponse, .commandBegin, .commandOK, .commandFailed, .messagesPending,
                .warningMessage, .errorMessage, .infoMessage, .textInput, .startSelect, .endSelect, .startRestoreTree,
                .endRestoreTree:
                return .keepReading
            case .subPrompt, .selectInput, .yesNo:
                return .answerPrompt
            case .terminate, .externalTerminate:
                return .closed
            default:
                // EOD, MAIN_PROMPT and any other signal end the command's output, as in bconsole.
                return .commandFinished
            }
        }
    }
}
