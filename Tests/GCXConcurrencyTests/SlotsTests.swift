import Foundation
import GCXConcurrency
import Testing

struct SlotsTests {
    @Test func noMoreTasksHoldASlotThanThereAreSlots() async throws {
        let slots = Slots(3)
        let occupancy = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await slots.run {
                        occupancy.enter()
                        try await Task.sleep(for: .milliseconds(2))
                        occupancy.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(occupancy.peak <= 3)
        #expect(occupancy.peak >= 2, "the slots are used side by side")
    }

    @Test func aTaskCancelledWhileWaitingThrowsAndTakesNoSlot() async throws {
        let slots = Slots(1)
        try await slots.acquire()
        let waiter = Task { try await slots.run { "ran" } }
        while slots.waiting == 0 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(slots.waiting == 0)
        slots.release()
        // The slot the cancelled waiter never took is free again, and only one exists.
        try await slots.acquire()
        let second = Task { try await slots.run { "second" } }
        while slots.waiting == 0 { await Task.yield() }
        slots.release()
        #expect(try await second.value == "second")
    }

    @Test func anAlreadyCancelledTaskDoesNotWait() async {
        let slots = Slots(1)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await slots.run { 1 }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func workRunToCompletionWaitsForItsSlotThoughTheTaskIsCancelled() async throws {
        let slots = Slots(1)
        try await slots.acquire()
        let waiter = Task { try await slots.runToCompletion { "finished" } }
        while slots.waiting == 0 { await Task.yield() }
        waiter.cancel()
        slots.release()
        #expect(try await waiter.value == "finished")
    }

    @Test func waitersAreServedInTheOrderTheyCame() async throws {
        let slots = Slots(1)
        let order = Log()
        try await slots.acquire()
        var tasks: [Task<Void, any Error>] = []
        for number in 0..<5 {
            tasks.append(Task { try await slots.run { order.append(number) } })
            while slots.waiting < number + 1 { await Task.yield() }
        }
        slots.release()
        for task in tasks { try await task.value }
        #expect(order.numbers == [0, 1, 2, 3, 4])
    }

    @Test func mapKeepsTheOrderAndTheBound() async throws {
        let slots = Slots(2)
        let occupancy = Occupancy()
        let squares = try await slots.map(Array(0..<50)) { number in
            occupancy.enter()
            defer { occupancy.leave() }
            usleep(UInt32((50 - number) * 20))  // later ones finish first
            return number * number
        }
        #expect(squares == (0..<50).map { $0 * $0 })
        #expect(occupancy.peak <= 2)
        #expect(try await slots.map([Int]()) { $0 }.isEmpty)
    }
}
