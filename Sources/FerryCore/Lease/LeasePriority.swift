/// The class of work a NetSuite request belongs to, for the lease's shares (see ``LeaseShares``).
///
/// Declared in the order reservations are served when the effective limit is too small for all of them:
/// live orders first.
public enum LeasePriority: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Orders arriving from the webshop now.
    case live
    /// Reconciliation and drift checks.
    case reconciliation
    /// Dead-letter replays.
    case replay

    /// The priority of NetSuite requests made by the current task; ``live`` unless set with
    /// `LeasePriority.$current.withValue(.replay) { … }`. Leased NetSuite clients read it, so call sites need no
    /// extra parameter.
    @TaskLocal public static var current: LeasePriority = .live

    /// Position in ``allCases``: lower is served first.
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }

    public static func < (lhs: LeasePriority, rhs: LeasePriority) -> Bool { lhs.rank < rhs.rank }
}
