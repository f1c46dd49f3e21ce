package io.lstmjob.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The native memory of an ND4J array's elements as a byte buffer, for code that reads and writes
 * it directly (the cell kernels, the vector Adam, the gradient copy). For a view, ND4J's
 * {@code data().asNio()} covers the whole underlying buffer and {@code offset()} counts elements
 * from its start; the buffer returned here starts at the view's first element and holds
 * {@code length()} elements, which are the view's own only when it is contiguous.
 */
final class ArrayMemory {
    private ArrayMemory() {}

    static ByteBuffer bytes(INDArray array) {
        int elementSize = array.data().getElementSize();
        return array.data()
                .asNio()
                .slice((int) array.offset() * elementSize, (int) array.length() * elementSize)
                .order(ByteOrder.nativeOrder());
    }
}
