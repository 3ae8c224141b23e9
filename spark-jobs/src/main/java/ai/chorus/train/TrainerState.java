package ai.chorus.train;

/**
 * Where a run is, saved with every checkpoint: the next round, epoch and step within the epoch; the global
 * optimizer step per worker; the seed; and a hash of every setting that shapes the trajectory, so a resume with
 * different settings is refused instead of silently producing a different run.
 */
public record TrainerState(int round, int epoch, int stepInEpoch, long globalStep, long samplesSeen, long seed,
                           String configHash, String model) {
}
