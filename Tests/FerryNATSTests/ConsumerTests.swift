import FerryNATS
import Foundation
import Synchronization
import Testing

@Suite("JetStream pull consumers")
struct ConsumerTests {
    /// A stream with `count` messages and a durable consumer on it.
    private func prepare(
        _ jetStream: JetStream,
        count: Int,
        ackWait: Duration = .seconds(30)
    ) async throws -> (stream: String, consumer: String) {
        let stream = try await makeStream(jetStream, uniqueName("WORK"))
        for index in 1...max(1, count) where count > 0 {
            _ = try await jetStream.publish(subject: "\(stream).order", payload: "order-\(index)".bytes)
        }
        let consumer = uniqueName("worker")
        try await jetStream.addOrUpdateConsumer(
            stream: stream,
            ConsumerConfiguration(durableName: consumer, filterSubject: "\(stream).>", ackWait: ackWait)
        )
        return (stream, consumer)
    }

    @Test func fetchBatchAckAndTimeout() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 5)
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)

            let first = try await subscription.fetch(batch: 3, timeout: .seconds(5))
            #expect(first.map(\.metadata.streamSequence) == [1, 2, 3])
            #expect(first.map(\.data.string) == ["order-1", "order-2", "order-3"])
            #expect(first.allSatisfy { $0.metadata.numDelivered == 1 })
            #expect(first.allSatisfy { $0.subject == "\(stream).order" })
            #expect(first.allSatisfy { $0.metadata.stream == stream && $0.metadata.consumer == consumer })
            #expect(first.first?.metadata.numPending == 4)
            #expect(first.first?.metadata.timestamp != nil)
            for message in first {
                try await message.ack()
            }

            let rest = try await subscription.fetch(batch: 10, timeout: .seconds(5))
            #expect(rest.map(\.metadata.streamSequence) == [4, 5])
            for message in rest {
                try await message.ack()
            }

            // Nothing left: an empty array, not an error.
            let none = try await subscription.fetch(batch: 10, timeout: .milliseconds(300))
            #expect(none.isEmpty)

            let info = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(info.numPending == 0)
            #expect(info.numAckPending == 0)
            #expect(info.ackFloor.streamSequence == 5)
            #expect(info.delivered.streamSequence == 5)
        }
    }

    @Test func nakWithDelayRedeliversOnlyAfterTheDelay() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 1)
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let message = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(5)).first)
            // A delay far above the early fetch, so a slow machine cannot reach the redelivery time first.
            try await message.nak(delay: .seconds(6))

            let early = try await subscription.fetch(batch: 1, timeout: .milliseconds(400))
            #expect(early.isEmpty)
            let pending = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(pending.numAckPending == 1)

            let redelivered = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(15)).first)
            #expect(redelivered.metadata.streamSequence == 1)
            #expect(redelivered.metadata.numDelivered == 2)
            try await redelivered.ack()
        }
    }

    @Test func inProgressKeepsMessagePastAckWait() async throws {
        try await withJetStream { _, _, jetStream in
            // Ack wait 3 s, an in-progress signal every 300 ms: a tenfold margin, so a loaded CI machine that delays
            // one signal cannot turn this into a redelivery.
            let (stream, consumer) = try await prepare(jetStream, count: 1, ackWait: .seconds(3))
            let worker = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let other = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let message = try #require(try await worker.fetch(batch: 1, timeout: .seconds(5)).first)

            // Another subscriber waits for a redelivery while the worker "works" 6 s (2x ack wait).
            async let stolen = other.fetch(batch: 1, timeout: .seconds(6))
            let clock = ContinuousClock()
            let end = clock.now + .seconds(6)
            while clock.now < end {
                try await Task.sleep(for: .milliseconds(300))
                try await message.inProgress()
            }
            #expect(try await stolen.isEmpty)
            try await message.ack()

            let info = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(info.numRedelivered == 0)
            #expect(info.numAckPending == 0)
            #expect(info.delivered.consumerSequence == 1)
        }
    }

    @Test func unackedMessageIsRedeliveredAfterAckWait() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 1, ackWait: .seconds(1))
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let first = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(5)).first)
            #expect(first.metadata.numDelivered == 1)

            let again = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(10)).first)
            #expect(again.metadata.streamSequence == first.metadata.streamSequence)
            #expect(again.metadata.numDelivered == 2)
            #expect(again.data == first.data)
            try await again.ack()
            // The stale first delivery can still be acked without error (no-op on the server side).
            try await first.ack()
        }
    }

    @Test func termStopsRedelivery() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 1, ackWait: .seconds(1))
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let message = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(5)).first)
            try await message.term()
            // Well past the ack wait: no redelivery.
            let later = try await subscription.fetch(batch: 1, timeout: .milliseconds(2500))
            #expect(later.isEmpty)
            let info = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(info.numAckPending == 0)
            #expect(info.numPending == 0)
        }
    }

    @Test func repeatedAcknowledgementsAreSafe() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 2, ackWait: .seconds(1))
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let messages = try await subscription.fetch(batch: 2, timeout: .seconds(5))
            #expect(messages.count == 2)
            try await messages[0].ack()
            try await messages[0].ack()
            try await messages[0].nak()
            try await messages[0].term()
            try await messages[0].inProgress()
            try await messages[1].term()
            try await messages[1].ack()
            // Neither comes back, although the later calls would ask for it.
            let later = try await subscription.fetch(batch: 2, timeout: .milliseconds(1800))
            #expect(later.isEmpty)
            let info = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(info.numAckPending == 0)
            #expect(info.numRedelivered == 0)
        }
    }

    @Test func twoSubscribersShareOneConsumerWithoutDuplicates() async throws {
        try await withJetStream { _, _, jetStream in
            let total = 40
            let (stream, consumer) = try await prepare(jetStream, count: total)
            let a = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let b = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)

            // Sequential first pulls: each subscriber gets distinct messages.
            let firstA = try await a.fetch(batch: 5, timeout: .seconds(5))
            let firstB = try await b.fetch(batch: 5, timeout: .seconds(5))
            #expect(firstA.count == 5)
            #expect(firstB.count == 5)
            #expect(Set(firstA.map(\.metadata.streamSequence)).isDisjoint(with: firstB.map(\.metadata.streamSequence)))
            for message in firstA + firstB {
                try await message.ack()
            }

            // Then both pull concurrently until the consumer is drained.
            func drain(_ subscription: PullSubscription) async throws -> [UInt64] {
                var sequences: [UInt64] = []
                while true {
                    let batch = try await subscription.fetch(batch: 4, timeout: .milliseconds(700))
                    if batch.isEmpty { return sequences }
                    for message in batch {
                        sequences.append(message.metadata.streamSequence)
                        try await message.ack()
                    }
                }
            }
            async let restA = drain(a)
            async let restB = drain(b)
            let all =
                firstA.map(\.metadata.streamSequence) + firstB.map(\.metadata.streamSequence)
                + (try await restA) + (try await restB)
            #expect(all.count == total)
            #expect(Set(all) == Set(1...UInt64(total)))
            let info = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(info.numAckPending == 0)
            #expect(info.numRedelivered == 0)
        }
    }

    @Test func headersRoundTrip() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 0)
            let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            var headers: NATSHeaders = ["traceparent": traceparent, "tracestate": "ferry=1"]
            headers.add("a", for: "X-Multi")
            headers.add("b", for: "X-Multi")
            let ack = try await jetStream.publish(
                subject: "\(stream).order",
                payload: "{\"id\":1}".bytes,
                headers: headers,
                msgID: "order-1"
            )
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let message = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(5)).first)
            #expect(message.headers["traceparent"] == traceparent)
            #expect(message.headers["tracestate"] == "ferry=1")
            #expect(message.headers.values(for: "X-Multi") == ["a", "b"])
            #expect(message.headers["Nats-Msg-Id"] == "order-1")
            #expect(message.data.string == "{\"id\":1}")
            try await message.ack()

            let stored = try #require(try await jetStream.getMessage(stream: stream, sequence: ack.sequence))
            #expect(stored.headers["traceparent"] == traceparent)
            #expect(stored.headers.values(for: "X-Multi") == ["a", "b"])

            // Without headers: none come back.
            let plain = try await jetStream.publish(subject: "\(stream).order", payload: [])
            let plainMessage = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(5)).first)
            #expect(plainMessage.metadata.streamSequence == plain.sequence)
            #expect(plainMessage.headers.isEmpty)
            #expect(plainMessage.data.isEmpty)
            try await plainMessage.ack()
        }
    }

    @Test func consumerInfoCounts() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 5)
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let fetched = try await subscription.fetch(batch: 3, timeout: .seconds(5))
            #expect(fetched.count == 3)

            var info = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(info.stream == stream)
            #expect(info.name == consumer)
            #expect(info.numPending == 2)
            #expect(info.numAckPending == 3)
            #expect(info.numRedelivered == 0)
            #expect(info.delivered.streamSequence == 3)
            #expect(info.ackFloor.streamSequence == 0)

            try await fetched[0].nak()
            let redelivered = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(5)).first)
            #expect(redelivered.metadata.streamSequence == 1)
            info = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(info.numRedelivered == 1)
            try await redelivered.ack()
            try await fetched[1].ack()
            try await fetched[2].ack()
            info = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(info.numAckPending == 0)
            #expect(info.ackFloor.streamSequence == 3)

            // A waiting pull request shows up as numWaiting.
            let drained = try await subscription.fetch(batch: 2, timeout: .seconds(5))
            for message in drained {
                try await message.ack()
            }
            let waiter = Task { try await subscription.fetch(batch: 1, timeout: .seconds(20)) }
            let sawWaiting = try await eventually {
                try await jetStream.consumerInfo(stream: stream, consumer: consumer).numWaiting >= 1
            }
            #expect(sawWaiting)
            waiter.cancel()
            _ = await waiter.result
        }
    }

    @Test func addOrUpdateConsumerIsIdempotentAndUpdates() async throws {
        try await withJetStream { _, _, jetStream in
            let stream = try await makeStream(jetStream, uniqueName("CFG"))
            let name = uniqueName("durable")
            var config = ConsumerConfiguration(
                durableName: name,
                filterSubject: "\(stream).orders",
                ackWait: .seconds(60),
                maxAckPending: 50
            )
            let created = try await jetStream.addOrUpdateConsumer(stream: stream, config)
            #expect(created.configuration.ackWait == .seconds(60))
            #expect(created.configuration.maxDeliver == -1)
            #expect(created.configuration.maxAckPending == 50)
            #expect(created.configuration.filterSubject == "\(stream).orders")
            #expect(created.configuration.ackPolicy == .explicit)
            try await jetStream.addOrUpdateConsumer(stream: stream, config)

            config.ackWait = .seconds(90)
            config.maxDeliver = 10
            config.maxAckPending = 20
            let updated = try await jetStream.addOrUpdateConsumer(stream: stream, config)
            #expect(updated.configuration.ackWait == .seconds(90))
            #expect(updated.configuration.maxDeliver == 10)
            #expect(updated.configuration.maxAckPending == 20)

            // BackOff is supported (Ferry does not use it): the server then takes ack wait from BackOff[0].
            let backOffConsumer = try await jetStream.addOrUpdateConsumer(
                stream: stream,
                ConsumerConfiguration(
                    durableName: uniqueName("backoff"),
                    ackWait: .seconds(30),
                    maxDeliver: 3,
                    backOff: [.seconds(1), .seconds(2)]
                )
            )
            #expect(backOffConsumer.configuration.backOff == [.seconds(1), .seconds(2)])
            #expect(backOffConsumer.configuration.ackWait == .seconds(1))

            try await jetStream.deleteConsumer(stream: stream, consumer: name)
            let error = try await #require(throws: NATSError.self) {
                try await jetStream.consumerInfo(stream: stream, consumer: name)
            }
            #expect(error.code == .consumerNotFound)
        }
    }

    @Test func fetchCancellationReturnsPromptlyAndSubscriptionStaysUsable() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 0)
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let clock = ContinuousClock()
            let started = clock.now
            let task = Task { try await subscription.fetch(batch: 5, timeout: .seconds(60)) }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let result = await task.result
            let elapsed = clock.now - started
            #expect(throws: CancellationError.self) { try result.get() }
            // Far below the 60 s fetch timeout (generous bound for a loaded machine).
            #expect(elapsed < .seconds(15))

            // The subscription still delivers, and nothing was lost.
            _ = try await jetStream.publish(subject: "\(stream).order", payload: "after-cancel".bytes)
            let message = try #require(try await subscription.fetch(batch: 5, timeout: .seconds(5)).first)
            #expect(message.data.string == "after-cancel")
            try await message.ack()

            // Cancelled before it starts: no pull at all.
            let early = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await subscription.fetch(batch: 1, timeout: .seconds(60))
            }
            await #expect(throws: CancellationError.self) { try await early.value }
        }
    }

    @Test func unsubscribeKeepsTheDurableConsumer() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 2)
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let held = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(5)).first)
            await subscription.unsubscribe()
            await subscription.unsubscribe()
            let error = try await #require(throws: NATSError.self) {
                try await subscription.fetch(batch: 1, timeout: .seconds(1))
            }
            #expect(error.code == .invalidSubscription)
            // A message fetched before unsubscribing can still be acknowledged (graceful shutdown).
            try await held.inProgress()
            try await held.ack()
            let info = try await jetStream.consumerInfo(stream: stream, consumer: consumer)
            #expect(info.numPending == 1)
            #expect(info.numAckPending == 0)
            let fresh = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let message = try #require(try await fresh.fetch(batch: 1, timeout: .seconds(5)).first)
            try await message.ack()
        }
    }

    @Test func acknowledgementsAfterCloseFailCleanly() async throws {
        try await withJetStream { _, connection, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 1)
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let message = try #require(try await subscription.fetch(batch: 1, timeout: .seconds(5)).first)
            await connection.close()
            let ackError = try await #require(throws: NATSError.self) { try await message.ack() }
            #expect(ackError.code == .connectionClosed)
            let fetchError = try await #require(throws: NATSError.self) {
                try await subscription.fetch(batch: 1, timeout: .seconds(1))
            }
            #expect(fetchError.code == .connectionClosed)
        }
    }

    @Test func unsubscribeEndsABlockedFetch() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 0)
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
            let task = Task { try await subscription.fetch(batch: 1, timeout: .seconds(60)) }
            try await Task.sleep(for: .milliseconds(300))
            await subscription.unsubscribe()
            let result = await task.result
            #expect(throws: NATSError.self) { try result.get() }
        }
    }

    @Test func manyBlockedFetchesDoNotBlockPublishes() async throws {
        try await withJetStream { _, _, jetStream in
            let (stream, consumer) = try await prepare(jetStream, count: 0)
            let target = try await makeStream(jetStream, uniqueName("TARGET"))
            let finishedFetches = Counter()
            let fetchers = 12
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<fetchers {
                    let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)
                    group.addTask {
                        _ = try? await subscription.fetch(batch: 1, timeout: .seconds(20))
                        finishedFetches.increment()
                    }
                }
                // Make sure the fetches are blocked at the server.
                let waiting = try await eventually {
                    try await jetStream.consumerInfo(stream: stream, consumer: consumer).numWaiting >= fetchers
                }
                #expect(waiting)
                try await withThrowingTaskGroup(of: PublishAck.self) { publishers in
                    for index in 0..<60 {
                        publishers.addTask {
                            try await jetStream.publish(subject: "\(target).x", payload: "p-\(index)".bytes)
                        }
                    }
                    var count = 0
                    for try await _ in publishers { count += 1 }
                    #expect(count == 60)
                }
                #expect(finishedFetches.value == 0)
                #expect(try await jetStream.streamInfo(target).messages == 60)
                group.cancelAll()
            }
            #expect(finishedFetches.value == fetchers)
        }
    }
}
