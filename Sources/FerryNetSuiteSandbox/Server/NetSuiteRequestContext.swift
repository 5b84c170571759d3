import Hummingbird
import NIOCore

/// The request context of the sandbox: Hummingbird's core storage plus the connection, which the commit-then-fail
/// fault closes to drop a request without any answer.
struct NetSuiteRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Large enough for any sales order a shop produces.
    var maxUploadSize: Int { 16 * 1024 * 1024 }
}
