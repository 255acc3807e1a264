import FDBCLI
import FeatureDB
import Hummingbird

/// A request's query parameters, read with the command line's rules: times as `fdb` takes them
/// (ISO-8601, `now`, `-2h`), a bad or missing parameter a 400 naming it.
struct Query {
  let parameters: [String: String]
  let now: Timestamp

  init(_ request: Request, now: Timestamp = .now) {
    var parameters: [String: String] = [:]
    for (key, value) in request.uri.queryParameters {
      parameters[String(key)] = String(value)
    }
    self.parameters = parameters
    self.now = now
  }

  /// A parameter that must be given and not be empty.
  func required(_ name: String) throws(APIError) -> String {
    guard let value = parameters[name], !value.isEmpty else {
      throw APIError(.badRequest, "missing query parameter '\(name)'")
    }
    return value
  }

  /// An optional time.
  func time(_ name: String) throws -> Timestamp? {
    try parameters[name].map { text throws(CLIError) in
      try TimeArgument.time(text, now: now, option: name)
    }
  }

  /// An optional whole number of at least `minimum`.
  func int(_ name: String, minimum: Int = 0) throws(APIError) -> Int? {
    guard let text = parameters[name] else { return nil }
    guard let value = Int(text), value >= minimum else {
      throw APIError(
        .badRequest,
        "query parameter '\(name)': expected a whole number ≥ \(minimum), got '\(text)'")
    }
    return value
  }

  /// An optional `true`/`false` (default false).
  func flag(_ name: String) throws(APIError) -> Bool {
    switch parameters[name] {
    case nil, "false": return false
    case "true", "": return true
    case let text?:
      throw APIError(
        .badRequest, "query parameter '\(name)': expected true or false, got '\(text)'")
    }
  }
}
