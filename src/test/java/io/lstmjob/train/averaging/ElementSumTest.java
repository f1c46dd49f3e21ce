package io.lstmjob.train.averaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** A sum crosses the network (a task's result) and comes back with every element where it was. */
class ElementSumTest {
    /** More elements than one 64 KB chunk holds, and not a multiple of it. */
    private static final int LENGTH = 40_003;

    private static float[] values(int seed) {
        float[] v = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            v[i] = (float) Math.sin(0.37 * i + seed) * (1 + i % 13);
        }
        return v;
    }

    @Test
    void oneArrayTravelsAsItsFloatsAndASumOfSeveralAsDoubles() throws Exception {
        float[] a = values(1);
        float[] b = values(2);
        float[] c = values(3);

        ElementSum one = copy(ElementSum.of(a));
        assertArrayEquals(a, one.mean(1));

        ElementSum three = copy(ElementSum.of(a.clone()).add(b));
        three.add(copy(ElementSum.of(c)));
        float[] expected = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            expected[i] = (float) (((double) a[i] + b[i] + c[i]) / 3);
        }
        assertArrayEquals(expected, copy(three).mean(3));
        assertArrayEquals(values(1), a, "the sum never writes into the arrays it was given");
    }

    @Test
    void aWorkersArrayTravelsInHalfTheBytesOfASum() throws Exception {
        int single = serialized(ElementSum.of(values(1))).length;
        int summed = serialized(ElementSum.of(values(1)).add(values(2))).length;
        assertTrue(single < LENGTH * 4 + 2048 && summed > LENGTH * 8, single + " and " + summed + " bytes");
    }

    private static byte[] serialized(ElementSum sum) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(sum);
        }
        return bytes.toByteArray();
    }

    private static ElementSum copy(ElementSum sum) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialized(sum)))) {
            return (ElementSum) in.readObject();
        }
    }
}
