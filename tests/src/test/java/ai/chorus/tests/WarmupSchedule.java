package ai.chorus.tests;

import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.HashMap;
import java.util.Map;

/** The learning tests' learning rate: linear warm-up to the peak, constant to half-way, linear to 0 at the end. */
final class WarmupSchedule {
    private WarmupSchedule() {
    }

    static MapSchedule of(double peak, int warmup, int steps) {
        Map<Integer, Double> lr = new HashMap<>();
        int decay = steps / 2;
        for (int step = 0; step < steps; step++) {
            lr.put(step, step < warmup ? peak * (step + 1) / warmup
                    : step < decay ? peak : peak * (steps - step) / (steps - decay));
        }
        return new MapSchedule(ScheduleType.ITERATION, lr);
    }
}
