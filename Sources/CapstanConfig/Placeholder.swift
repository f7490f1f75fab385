/// The Bacula resource-file language (filled in by the Foundation issue).
public enum CapstanConfigModule {}
