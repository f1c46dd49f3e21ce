package io.lstmjob.data;

import java.io.Serializable;

/**
 * An ordered piece of one sequence: {@code length} training pairs starting at pair {@code start}.
 * Inputs are steps start..start+length-1 and targets steps start+1..start+length, both stored
 * time-major ({@code inputs[t * inputWidth + c]}) in the units of the input (not normalised).
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
