import CapstanConfig
/// Shared pieces of the command-line programs.
public enum CapstanCLIModule {}
