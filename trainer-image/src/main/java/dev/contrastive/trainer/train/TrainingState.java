package dev.contrastive.trainer.train;

/**
 * Where training stands: {@code epochsDone} complete epochs and {@code step} optimizer steps.
 * All randomness (shuffling, augmentation) derives from the seed and these counters, so they are
 * the whole RNG state a bit-exact resume needs.
 */
public record TrainingState(int epochsDone, long step, long seed) {}
