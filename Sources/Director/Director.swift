/// The Director service (given its work by later issues).
public enum DirectorModule { public static let name = "Director" }
