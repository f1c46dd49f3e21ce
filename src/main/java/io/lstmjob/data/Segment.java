package io.lstmjob.data;

import java.io.Serializable;

/**
 * An ordered piece of one sequence: {@code length} training pairs starting at pair {@code start}.
 * Inputs are steps start..start+length-1; pair t's targets are steps start+t+1 .. start+t+H
 * (H = model.horizon), stored as {@code targets[(t * H + k - 1) * targets + c]} for step k ahead;
 * all time-major in the units of the input (not normalised). A classifier's segment is a whole
 * sequence and its targets hold the class index at every step.
 */
public record Segment(int id, String seqId, long start, int length, boolean validation,
                      float[] inputs, float[] targets) implements Serializable {

    public int inputWidth() {
        return inputs.length / length;
    }

    public int targetWidth() {
        return targets.length / length;
    }
}
