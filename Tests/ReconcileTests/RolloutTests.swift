import Foundation
import Manifests
import Reconcile
import Testing

/// `Rollout.decide`, the pure rule of DESIGN §10: which targets may take the wanted spec now.
@Suite("Rollout decisions")
struct RolloutTests {
    private func targets(_ states: [TargetProgress]) -> [String: TargetProgress] {
        Dictionary(uniqueKeysWithValues: states.enumerated().map { (String(format: "t%02d", $0.offset + 1), $0.element) })
    }

    private func decide(_ strategy: Strategy?, _ states: [TargetProgress], lastPassed: Date? = nil, approved: Set<Int> = [],
                        now: Date = Date(timeIntervalSince1970: 1000)) -> RolloutDecision {
        Rollout.decide(deployment: "d", environment: "e", version: "1.3.0", strategy: strategy, progress: targets(states),
                       lastPassed: lastPassed, approvedSteps: approved, now: now)
    }

    @Test func stepSizes() {
        #expect(Rollout.stepSizes(Strategy(type: .canary, steps: [10, 50, 100]), total: 20) == [2, 10, 20])
        #expect(Rollout.stepSizes(Strategy(type: .canary, steps: [10, 50, 100]), total: 3) == [1, 2, 3])
        #expect(Rollout.stepSizes(Strategy(type: .canary, steps: [1, 2, 100]), total: 5) == [1, 5], "equal sizes fold")
        #expect(Rollout.stepSizes(Strategy(type: .rolling, maxUnavailable: .count(2)), total: 5) == [2, 4, 5])
        #expect(Rollout.stepSizes(Strategy(type: .rolling, maxUnavailable: .percent(25)), total: 8) == [2, 4, 6, 8])
        #expect(Rollout.stepSizes(Strategy(type: .rolling), total: 3) == [1, 2, 3], "maxUnavailable defaults to 1")
        #expect(Rollout.stepSizes(nil, total: 7) == [7], "no strategy: all at once")
    }

    @Test func aStepStartsOnlyWhenTheUpdatedTargetsPassed() {
        let canary = Strategy(type: .canary, steps: [10, 50, 100])
        let first = decide(canary, Array(repeating: .pending, count: 20))
        #expect(first.allowed == ["t01", "t02"] && first.step == 1 && first.steps == 3)
        let gating = decide(canary, [.passed, .gating] + Array(repeating: .pending, count: 18))
        #expect(gating.allowed.isEmpty && gating.waiting == "step 1/3 is gating t02 before the next")
        let second = decide(canary, [.passed, .passed] + Array(repeating: .pending, count: 18))
        #expect(second.allowed.count == 8 && second.allowed.contains("t03") && second.step == 2)
        let done = decide(canary, Array(repeating: .passed, count: 20))
        #expect(done.allowed.isEmpty && done.isFinished && done.step == 3 && done.waiting == nil)
    }

    @Test func aFailedTargetStopsTheRollout() {
        let decision = decide(Strategy(type: .rolling, maxUnavailable: .count(2)), [.passed, .failed, .pending, .pending])
        #expect(decision.allowed.isEmpty)
        #expect(decision.waiting == "rollout stopped at step 1/2: t02 failed its gates")
        #expect(!decision.isFinished)
    }

    @Test func suspendedTargetsAreLeftOutAndDoNotHoldTheRolloutBack() {
        let decision = decide(Strategy(type: .rolling), [.suspended, .pending, .pending])
        #expect(decision.allowed == ["t02"] && decision.steps == 2)
        #expect(decide(Strategy(type: .rolling), [.suspended, .passed, .passed]).isFinished)
    }

    @Test func pausesAndApprovals() {
        let paused = Strategy(type: .canary, steps: [50, 100], pauseSeconds: 60)
        let now = Date(timeIntervalSince1970: 1000)
        let waiting = decide(paused, [.passed, .pending], lastPassed: now.addingTimeInterval(-30), now: now)
        #expect(waiting.allowed.isEmpty && waiting.pausedUntil == now.addingTimeInterval(30))
        #expect(decide(paused, [.passed, .pending], lastPassed: now.addingTimeInterval(-61), now: now).allowed == ["t02"])
        let gated = Strategy(type: .canary, steps: [50, 100], approveSteps: true)
        #expect(decide(gated, [.pending, .pending]).allowed == ["t01"], "the first step needs no approval")
        let unapproved = decide(gated, [.passed, .pending])
        #expect(unapproved.allowed.isEmpty && unapproved.waiting == "step 2/2 awaits approval (steward approve d --step 2)")
        #expect(decide(gated, [.passed, .pending], approved: [2]).allowed == ["t02"])
    }

    @Test func withoutAStrategyEveryTargetGoesAtOnce() {
        #expect(decide(nil, Array(repeating: .pending, count: 5)).allowed.count == 5)
    }
}
