package io.lstmjob.data;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Zeroed float arrays for minibatches, from those a finished minibatch handed back when one of the
 * same shape is free, else new. Fresh native memory costs a page fault per 4 KB page the first time
 * it is written (on this machine kind ~35 ms for the 8 MB of a W2 minibatch's inputs, more than
 * assembling it), memory already written a memset. Per JVM, shared by its tasks; holds at most
 * {@link #PER_SHAPE} arrays of a shape and {@link #MAX_BYTES} in all, the rest is left to the GC.
 */
final class RecycledArrays {
    static final int PER_SHAPE = 4;
    static final long MAX_BYTES = 512L << 20;

    private static final Map<List<Long>, Queue<INDArray>> FREE = new ConcurrentHashMap<>();
    private static final AtomicLong HELD_BYTES = new AtomicLong();

    private RecycledArrays() {}

    /** A zeroed row-major float array of this shape. */
    static INDArray zeros(long... shape) {
        Queue<INDArray> free = FREE.get(key(shape));
        INDArray array = free == null ? null : free.poll();
        if (array == null) {
            return Nd4j.create(DataType.FLOAT, shape, 'c');
        }
        HELD_BYTES.addAndGet(-bytes(array));
        return array.assign(0);
    }

    /** Hands an array back: nothing may use it afterwards. One in a DL4J workspace is not kept: its memory is not its own. */
    static void recycle(INDArray array) {
        if (array == null
                || array.isView()
                || array.isAttached()
                || array.ordering() != 'c'
                || array.dataType() != DataType.FLOAT) {
            return;
        }
        long bytes = bytes(array);
        Queue<INDArray> free = FREE.computeIfAbsent(key(array.shape()), k -> new ConcurrentLinkedQueue<>());
        if (free.size() >= PER_SHAPE) {
            return;
        }
        if (HELD_BYTES.addAndGet(bytes) > MAX_BYTES) {
            HELD_BYTES.addAndGet(-bytes);
            return;
        }
        free.add(array);
    }

    private static long bytes(INDArray array) {
        return array.length() * Float.BYTES;
    }

    private static List<Long> key(long[] shape) {
        return Arrays.stream(shape).boxed().toList();
    }
}
