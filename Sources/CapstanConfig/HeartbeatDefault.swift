/// Capstan's default `Heartbeat Interval`, in seconds, for every daemon and resource that has the directive.
///
/// Bacula 9.6 defaults to 300 s. Behind a stateful firewall or NAT that forgets connections idle for less than
/// that, a Bacula job whose control link is idle while the data flows hangs: the File daemon's end-of-job report to
/// the Director is dropped (measured with a 15 s conntrack timeout). Capstan's daemons send heartbeats and TCP
/// keepalive probes (idle time and probe interval alike) after 10 s of idleness instead, shorter than the idle
/// timeouts firewalls commonly use. `Heartbeat Interval = 0` still turns heartbeats off; an explicit value wins.
public enum HeartbeatDefault {
    public static let seconds: Int64 = 10
}
