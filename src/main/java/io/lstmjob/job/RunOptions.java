package io.lstmjob.job;

/**
 * How a run relates to earlier ones.
 *
 * @param warmStart      start from the live version's parameters and updater state, and publish
 *                       only through the evaluation gate (retrain)
 * @param runId          id of this run; a run id with checkpoints resumes from them; null: a new id
 * @param resume         resume the most recent unfinished run when no run id is given
 * @param breakStaleLock take the model's lock from a run that is provably dead
 */
public record RunOptions(boolean warmStart, String runId, boolean resume, boolean breakStaleLock) {

    public static RunOptions train() {
        return new RunOptions(false, null, false, false);
    }

    public static RunOptions retrain() {
        return new RunOptions(true, null, false, false);
    }
}
