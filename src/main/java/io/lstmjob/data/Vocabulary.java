package io.lstmjob.data;

import java.io.Serializable;
import java.util.Arrays;

/** The characters (Unicode code points, sorted) of the character language model; index = class. */
public record Vocabulary(int[] codePoints) implements Serializable {

    public int size() {
        return codePoints.length;
    }

    /** Class index of a code point, or -1 when it is not in the vocabulary. */
    public int indexOf(int codePoint) {
        int i = Arrays.binarySearch(codePoints, codePoint);
        return i >= 0 ? i : -1;
    }

    public int codePointAt(int index) {
        return codePoints[index];
    }
}
